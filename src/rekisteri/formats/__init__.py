"""Date and number formats where Django's own do not suit an EU register."""
