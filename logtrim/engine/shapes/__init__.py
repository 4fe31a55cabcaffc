"""Line templates and shapes, and what is new against a good run's (``--baseline``, ``--history``,
``diff``)."""
