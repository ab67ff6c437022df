from django import template

register = template.Library()


@register.filter
def overdue_on(action, today) -> int:
    """Days an action is overdue on a day; 0 when it is not."""
    if action.is_overdue(today):
        return (today - action.due_on).days
    return 0
