from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = _(
        "Give a user (staff, a member or a force lead) a time-based one-time-password device for "
        "two-factor sign-in, and print the link to add it to an authenticator app. Once they "
        "have one, signing in always asks for its code."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Authenticator app")
        parser.add_argument(
            "--replace", action="store_true", help=_("Remove the user's existing devices first.")
        )

    def handle(self, *args, username, name, replace, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no user %(name)r.") % {"name": username})
        if replace:
            TOTPDevice.objects.filter(user=user).delete()
        elif TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise CommandError(
                _("%(name)s already has a device; use --replace to issue a new one.")
                % {"name": username}
            )
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        self.stdout.write(_("Add this to the authenticator app of %(name)s:") % {"name": username})
        self.stdout.write(device.config_url)
        self.stdout.write(
            _("Keep it secret: whoever has it can make sign-in codes for this account.")
        )
