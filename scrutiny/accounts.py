"""User accounts: the one write path for creating them and for their groups, whoever does it
(the commands, the demo loader). A person of the record is linked to an account in
`meetings.reference.person_link_account`."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from scrutiny.groups import ensure_groups


class AccountError(Exception):
    """An account that cannot be created or changed, with a message for the user."""


@transaction.atomic
def account_ensure(
    *,
    username: str,
    email: str = "",
    password: str | None = None,
    is_staff: bool | None = None,
    is_superuser: bool | None = None,
):
    """The account with this sign-in name, created when missing: with no password (its owner
    sets one through a link) unless `password` is given. The email, password and staff flags
    given are set. Returns the account, whether it is new, and its email before, when this
    changed it (else None)."""
    User = get_user_model()
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    created = user is None
    previous_email = None
    if created:
        user = User(**{User.USERNAME_FIELD: username}, email=email)
        user.set_unusable_password()
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            raise AccountError(
                _("Cannot create the account %(username)r: %(errors)s")
                % {"username": username, "errors": " ".join(exc.messages)}
            ) from None
    elif email and user.email != email:
        previous_email, user.email = user.email, email
    if password is not None:
        user.set_password(password)
    if is_staff is not None:
        user.is_staff = is_staff
    if is_superuser is not None:
        user.is_superuser = is_superuser
    user.save()
    return user, created, previous_email


@transaction.atomic
def account_join_group(*, user, group: str, only: bool = False) -> bool:
    """Put the account in the group (the groups are made first, with their permissions); with
    `only`, in that group and no other. Returns whether it was not a member before."""
    target = ensure_groups()[group]
    joined = not user.groups.filter(pk=target.pk).exists()
    if only:
        user.groups.set([target])
    elif joined:
        user.groups.add(target)
    return joined
