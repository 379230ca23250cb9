"""The two official clients' APIs, as the methods :class:`~runicorn_api.RunicornClient`
inherits: the seed's (:mod:`.seed`) and runicorn 0.7's ``runicorn.client``
(:mod:`.client07`). What is compatibility lives here; what is the SDK's own lives on the
client and its resources."""

from .client07 import Client07API
from .seed import SeedAPI

__all__ = ["Client07API", "SeedAPI"]
