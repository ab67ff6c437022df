"""`field__in_array=[...]`: the rows whose field is one of the values, as `__in` reads them, but
sent to PostgreSQL as one array parameter (`field = ANY(%s)`) rather than one placeholder a
value. A batch of a few hundred keys (a meeting's progress, the actions it reviews) was parsed,
quoted and sent value by value: 1.5 ms of Python a query for 173 keys, against 0.3 ms as one
array. Other databases read it as `__in`. Give plain values (keys, numbers), not instances."""

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject
from django.db.models.lookups import In


@ForeignObject.register_lookup  # a foreign key's own lookups (`action_id__in_array`)
@Field.register_lookup
class InArray(In):
    lookup_name = "in_array"

    def as_postgresql(self, compiler, connection):
        if self.rhs_is_direct_value():
            lhs, lhs_params = self.process_lhs(compiler, connection)
            values = [
                self.lhs.output_field.get_db_prep_value(value, connection, prepared=True)
                for value in self.rhs
                if value is not None
            ]
            if not values:
                raise EmptyResultSet  # as `__in` with no value
            return f"{lhs} = ANY(%s)", (*lhs_params, values)
        return super().as_sql(compiler, connection)
