from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The project's own user model, in place from the first migration as Django advises.

    Add fields here whenever you need them; swapping the user model later is painful.
    """
