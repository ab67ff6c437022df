from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from scrutiny.groups import GROUPS, ensure_groups


class Command(BaseCommand):
    help = _(
        "Create the staff groups (Clerk, Approver, Member, Administrator, Force lead) and give "
        "each exactly the permissions of docs/permissions.md. migrate does this too; run it to "
        "put back permissions someone changed."
    )

    def handle(self, *args, **options):
        ensure_groups()
        for name in GROUPS:
            self.stdout.write(_("Group %(group)s: ready.") % {"group": name})
