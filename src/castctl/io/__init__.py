"""Reading the coordinators' files and writing calendar/report formats."""
