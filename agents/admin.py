"""Admin for agents and teams: who answers, with what capacity, in which teams."""

from django.contrib import admin

from agents.models import AgentProfile, Team


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "availability", "capacity", "availability_changed_at")
    list_filter = ("availability",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    # Availability is the agent's own live state, changed from the console, not here.
    readonly_fields = ("availability", "availability_changed_at")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "member_count")
    search_fields = ("name",)
    filter_horizontal = ("members",)

    @admin.display(description="Members")
    def member_count(self, obj: Team) -> int:
        return obj.members.count()
