"""castctl: run the field-practice phase of the MOI SMART Agent for CAST course."""

__version__ = "0.1.0"
