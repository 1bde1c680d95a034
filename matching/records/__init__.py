"""The decisions registrars recorded, kept in a database."""
