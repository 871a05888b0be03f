"""The demo world's EC2: instances with instance profiles, governed by IAM policies."""
