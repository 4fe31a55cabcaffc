"""handler"""
