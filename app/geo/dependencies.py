from typing import Annotated

from fastapi import Depends, Request

from app.geo.gazetteer import Gazetteer
from app.geo.locate import Locator


async def get_gazetteer(request: Request) -> Gazetteer:
    return request.app.state.gazetteer


async def get_locator(request: Request) -> Locator:
    return request.app.state.locator


GazetteerDep = Annotated[Gazetteer, Depends(get_gazetteer)]
LocatorDep = Annotated[Locator, Depends(get_locator)]
