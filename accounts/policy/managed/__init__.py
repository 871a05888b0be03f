"""AWS managed policies as this console ships them (``aws_managed_policies.json``).

The catalogue is data, read by ``services.policies.sync_aws_managed_policies`` after every
``migrate``; :mod:`.refresh` rebuilds it from a published copy (it never runs in the product).
"""
