"""Console forms, one module per area. They own validation with AWS's rules and wording
(through the services' validators); crispy renders them."""
