"""The ordered maturity scale shared by viewer profiles (a limit) and titles (a rating).

Values are ages, so "may this profile see this title" is one comparison:
``title.maturity_rating <= viewer.maturity_limit``.
"""

from django.db import models


class Maturity(models.IntegerChoices):
    ALL = 0, "All ages"
    AGE_7 = 7, "7+"
    AGE_13 = 13, "13+"
    AGE_16 = 16, "16+"
    AGE_18 = 18, "18+"


KIDS_LIMIT = Maturity.AGE_7
"""The limit a kids profile gets unless set otherwise."""
