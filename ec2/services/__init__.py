"""EC2 actions, one function each, named after the action (``run_instances`` is
``ec2:RunInstances``): the only code that reads or changes the demo world's instances."""
