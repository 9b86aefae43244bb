def navigation(request):
    """Which menu entries this user has: the same capabilities the views check."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"caps": frozenset()}
    return {"caps": frozenset(str(c) for c in user.capabilities)}
