from .instances import IamInstanceProfileAssociation, Instance, InstanceRoleCredential, InstanceTag

__all__ = ["IamInstanceProfileAssociation", "Instance", "InstanceRoleCredential", "InstanceTag"]
