from typing import Annotated

from fastapi import Depends, Request

from app.matching.service import IndexCache


async def get_index_cache(request: Request) -> IndexCache:
    return request.app.state.match_index


IndexCacheDep = Annotated[IndexCache, Depends(get_index_cache)]
