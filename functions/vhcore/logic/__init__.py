"""Business logic: no Lambda events, no boto3; AWS only through ``vhcore.dal``."""
