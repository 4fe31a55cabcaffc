"""What is said of the secrets given that are not masked everywhere: each note once, on
stderr (a script may declare one value often, or thousands of short ones: the notes name no
value, so one of each kind says it all and the budget holds)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .mask import MIN_LENGTH


class Refusals:
    """The notes on values not masked, or not everywhere; each said once."""

    def __init__(
        self,
        notes: list[str],
        syntax_word: Callable[[str], str | None],
        breaks: Callable[[str], str | None],
    ) -> None:
        self._notes = notes
        self._syntax_word = syntax_word  # the CI syntax word a value is, if any
        self._breaks = breaks  # the CI whose commands a value spans the syntax of, if any
        self._said: set[str] = set()  # the notes said (bounded: they name no value)

    def refused(self, values: Iterable[str]) -> None:
        """Values the masker refused (blanks only, or too short)."""
        for value in values:
            why = (
                "blanks only"
                if value.isspace()
                else f"shorter than {MIN_LENGTH} would mask ordinary text"
            )
            self._say(f"not masking a value of {_chars(len(value))}: {why} (the archive keeps it)")

    def short_bare(self, values: Iterable[str]) -> None:
        """Values masked with the blanks around them, too short without them to be masked
        bare (:func:`.forms.spellings`)."""
        for value in values:
            given, bare = value.strip("\r\n"), value.strip()
            short = bare and bare != given and len(bare) < MIN_LENGTH <= len(given)
            if short:
                self._say(
                    f"not masking a value without the blanks around it: {_chars(len(bare))},"
                    f" shorter than {MIN_LENGTH} would mask ordinary text (the archive keeps"
                    " it where it is printed without them)"
                )

    def syntax(self, value: str) -> None:
        """A secret that is part of CI message syntax: masked everywhere but there, so the
        messages (logtrim's own too) still parse."""
        if len(value) < MIN_LENGTH:
            return
        word = self._syntax_word(value)
        if word is not None:
            self._say(
                f"a secret of {_chars(len(value))} is part of the syntax of CI messages "
                f"({word!r}): masked everywhere but in that syntax, so the messages still parse"
            )
        elif (ci := self._breaks(value)) is not None:
            # A secret never passes: a command that holds it is masked whole.
            self._say(
                f"a secret of {_chars(len(value))} spans the syntax of {ci} commands: a command"
                " that holds it is masked whole, and the CI ignores it"
            )

    def _say(self, note: str) -> None:
        if note not in self._said:
            self._said.add(note)
            self._notes.append(note)


def _chars(n: int) -> str:
    return f"{n} character{'' if n == 1 else 's'}"


__all__ = ["Refusals"]
