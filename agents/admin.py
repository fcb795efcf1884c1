"""Admin for agents and teams: who answers, with what capacity, in which teams."""

from django.contrib import admin

from agents.models import AgentConnection, AgentProfile, CannedResponse, RoutingRule, Team


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "availability", "capacity", "availability_changed_at")
    list_filter = ("availability",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    # Availability is the agent's own live state, changed from the console, not here.
    readonly_fields = ("availability", "availability_chosen", "availability_changed_at")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "member_count")
    search_fields = ("name",)
    filter_horizontal = ("members",)

    @admin.display(description="Members")
    def member_count(self, obj: Team) -> int:
        return obj.members.count()


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "inbox", "position")
    list_filter = ("inbox", "team", "field")
    list_select_related = ("inbox", "team")


@admin.register(AgentConnection)
class AgentConnectionAdmin(admin.ModelAdmin):
    """Open console sockets, for a look at who is connected; they come and go by themselves."""

    list_display = ("agent", "channel_name", "connected_at", "last_seen_at")
    list_select_related = ("agent__user",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    """Saved replies agents insert with ``/short_code``; variables are listed in the model's help."""

    list_display = ("__str__", "title", "inbox")
    list_filter = ("inbox",)
    search_fields = ("short_code", "title", "text")
    list_select_related = ("inbox",)
    fieldsets = [
        (
            None,
            {
                "fields": ("short_code", "title", "text", "inbox"),
                "description": "Variables: {{contact.name}}, {{contact.email}}, {{agent.name}}, "
                "{{conversation.number}}.",
            },
        )
    ]
