from indicators.configuration import areas_config


def dashboard(request):
    """The configured county's name, for the page header."""
    return {"county_name": areas_config().name}
