from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

# Past this many days a count means little ("Overdue by 2,860 days"): the date says more.
OVERDUE_SINCE_AFTER_DAYS = 60


@register.filter
def overdue_on(action, today) -> int:
    """Days an action is overdue on a day; 0 when it is not."""
    if action.is_overdue(today):
        return (today - action.due_on).days
    return 0


@register.filter
def overdue_label(action, today) -> str:
    """'Overdue by 12 days', or 'Overdue since 31 March 2019' when that is over 60 days ago."""
    days = overdue_on(action, today)
    if not days:
        return ""
    if days > OVERDUE_SINCE_AFTER_DAYS:
        return _("Overdue since %(date)s") % {"date": date_format(action.due_on, "j F Y")}
    return ngettext("Overdue by %(days)d day", "Overdue by %(days)d days", days) % {"days": days}
