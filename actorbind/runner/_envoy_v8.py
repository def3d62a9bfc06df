"""Envoy protocol v8 (rivet-engine 2.3.19): generated from envoy_v8.bare by
actorbind.runner.codegen; do not edit by hand."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TypeAlias

from actorbind.protocol.bare import BareError, Reader, Writer

__all__ = [
    "ActorCheckpoint",
    "ActorCommandKeyData",
    "ActorConfig",
    "ActorIntent",
    "ActorIntentSleep",
    "ActorIntentStop",
    "ActorName",
    "ActorState",
    "ActorStateRunning",
    "ActorStateStopped",
    "Command",
    "CommandStartActor",
    "CommandStopActor",
    "CommandWrapper",
    "Event",
    "EventActorIntent",
    "EventActorSetAlarm",
    "EventActorStateUpdate",
    "EventWrapper",
    "GatewayId",
    "HibernatingRequest",
    "HttpStreamAbortReason",
    "HttpStreamAbortReasonKind",
    "Id",
    "Json",
    "KvDeleteRangeRequest",
    "KvDeleteRequest",
    "KvDeleteResponse",
    "KvDropRequest",
    "KvDropResponse",
    "KvErrorResponse",
    "KvGetRequest",
    "KvGetResponse",
    "KvKey",
    "KvListAllQuery",
    "KvListPrefixQuery",
    "KvListQuery",
    "KvListRangeQuery",
    "KvListRequest",
    "KvListResponse",
    "KvMetadata",
    "KvPutRequest",
    "KvPutResponse",
    "KvRequestData",
    "KvResponseData",
    "KvValue",
    "MessageId",
    "MessageIndex",
    "PreloadedKv",
    "PreloadedKvEntry",
    "ProtocolMetadata",
    "RequestId",
    "SqliteBatchStatement",
    "SqliteBindParam",
    "SqliteColumnValue",
    "SqliteCommitFinalizeOk",
    "SqliteCommitFinalizeRequest",
    "SqliteCommitFinalizeResponse",
    "SqliteCommitOk",
    "SqliteCommitRequest",
    "SqliteCommitResponse",
    "SqliteCommitStageBeginOk",
    "SqliteCommitStageBeginRequest",
    "SqliteCommitStageBeginResponse",
    "SqliteCommitStageSegmentOk",
    "SqliteCommitStageSegmentRequest",
    "SqliteCommitStageSegmentResponse",
    "SqliteDirtyPage",
    "SqliteErrorResponse",
    "SqliteExecOk",
    "SqliteExecRequest",
    "SqliteExecResponse",
    "SqliteExecuteBatchOk",
    "SqliteExecuteBatchRequest",
    "SqliteExecuteBatchResponse",
    "SqliteExecuteOk",
    "SqliteExecuteRequest",
    "SqliteExecuteResponse",
    "SqliteExecuteResult",
    "SqliteFetchedPage",
    "SqliteGeneration",
    "SqliteGetPagesOk",
    "SqliteGetPagesRequest",
    "SqliteGetPagesResponse",
    "SqlitePageBytes",
    "SqlitePgno",
    "SqliteQueryResult",
    "SqliteValueBlob",
    "SqliteValueFloat",
    "SqliteValueInteger",
    "SqliteValueNull",
    "SqliteValueText",
    "StopActorReason",
    "StopCode",
    "ToEnvoy",
    "ToEnvoyAckEvents",
    "ToEnvoyCommands",
    "ToEnvoyConn",
    "ToEnvoyConnClose",
    "ToEnvoyConnPing",
    "ToEnvoyInit",
    "ToEnvoyKvResponse",
    "ToEnvoyPing",
    "ToEnvoyRequestAbort",
    "ToEnvoyRequestBodyCancel",
    "ToEnvoyRequestChunk",
    "ToEnvoyRequestStart",
    "ToEnvoyResponseBodyWindowUpdate",
    "ToEnvoySqliteCommitFinalizeResponse",
    "ToEnvoySqliteCommitResponse",
    "ToEnvoySqliteCommitStageBeginResponse",
    "ToEnvoySqliteCommitStageSegmentResponse",
    "ToEnvoySqliteExecResponse",
    "ToEnvoySqliteExecuteBatchResponse",
    "ToEnvoySqliteExecuteResponse",
    "ToEnvoySqliteGetPagesResponse",
    "ToEnvoyTunnelMessage",
    "ToEnvoyTunnelMessageKind",
    "ToEnvoyWebSocketClose",
    "ToEnvoyWebSocketMessage",
    "ToEnvoyWebSocketOpen",
    "ToGateway",
    "ToGatewayPong",
    "ToOutbound",
    "ToOutboundActorStart",
    "ToRivet",
    "ToRivetAckCommands",
    "ToRivetEvents",
    "ToRivetKvRequest",
    "ToRivetMetadata",
    "ToRivetPong",
    "ToRivetRequestBodyCancel",
    "ToRivetRequestBodyWindowUpdate",
    "ToRivetResponseAbort",
    "ToRivetResponseChunk",
    "ToRivetResponseStart",
    "ToRivetSqliteCommitFinalizeRequest",
    "ToRivetSqliteCommitRequest",
    "ToRivetSqliteCommitStageBeginRequest",
    "ToRivetSqliteCommitStageSegmentRequest",
    "ToRivetSqliteExecRequest",
    "ToRivetSqliteExecuteBatchRequest",
    "ToRivetSqliteExecuteRequest",
    "ToRivetSqliteGetPagesRequest",
    "ToRivetStopping",
    "ToRivetTunnelMessage",
    "ToRivetTunnelMessageKind",
    "ToRivetWebSocketClose",
    "ToRivetWebSocketMessage",
    "ToRivetWebSocketMessageAck",
    "ToRivetWebSocketOpen",
    "decode_ToRivet",
    "encode_ToRivet",
    "decode_ToEnvoy",
    "encode_ToEnvoy",
]

PROTOCOL_VERSION = 8


def _count(r: Reader) -> int:
    n = r.uint()
    if n > r.remaining():
        raise BareError("list longer than the message")
    return n


def _e_data(w: Writer, v: bytes) -> None:
    w.data(v)


def _d_data(r: Reader) -> bytes:
    return r.data()


def _e_i64(w: Writer, v: int) -> None:
    w.i64(v)


def _d_i64(r: Reader) -> int:
    return r.i64()


def _e_bool(w: Writer, v: bool) -> None:
    w.boolean(v)


def _d_bool(r: Reader) -> bool:
    return r.boolean()


def _e_list_KvKey(w: Writer, v: list[bytes]) -> None:
    w.uint(len(v))
    for item in v:
        _e_data(w, item)


def _d_list_KvKey(r: Reader) -> list[bytes]:
    return [_d_data(r) for _ in range(_count(r))]


def _e_optional_bool(w: Writer, v: bool | None) -> None:
    w.optional_present(v is not None)
    if v is not None:
        _e_bool(w, v)


def _d_optional_bool(r: Reader) -> bool | None:
    return _d_bool(r) if r.optional() else None


def _e_u64(w: Writer, v: int) -> None:
    w.u64(v)


def _d_u64(r: Reader) -> int:
    return r.u64()


def _e_optional_u64(w: Writer, v: int | None) -> None:
    w.optional_present(v is not None)
    if v is not None:
        _e_u64(w, v)


def _d_optional_u64(r: Reader) -> int | None:
    return _d_u64(r) if r.optional() else None


def _e_list_KvValue(w: Writer, v: list[bytes]) -> None:
    w.uint(len(v))
    for item in v:
        _e_data(w, item)


def _d_list_KvValue(r: Reader) -> list[bytes]:
    return [_d_data(r) for _ in range(_count(r))]


def _e_str(w: Writer, v: str) -> None:
    w.string(v)


def _d_str(r: Reader) -> str:
    return r.string()


def _e_list_KvMetadata(w: Writer, v: list[KvMetadata]) -> None:
    w.uint(len(v))
    for item in v:
        _e_KvMetadata(w, item)


def _d_list_KvMetadata(r: Reader) -> list[KvMetadata]:
    return [_d_KvMetadata(r) for _ in range(_count(r))]


def _e_u32(w: Writer, v: int) -> None:
    w.u32(v)


def _d_u32(r: Reader) -> int:
    return r.u32()


def _e_optional_SqlitePageBytes(w: Writer, v: bytes | None) -> None:
    w.optional_present(v is not None)
    if v is not None:
        _e_data(w, v)


def _d_optional_SqlitePageBytes(r: Reader) -> bytes | None:
    return _d_data(r) if r.optional() else None


def _e_list_SqlitePgno(w: Writer, v: list[int]) -> None:
    w.uint(len(v))
    for item in v:
        _e_u32(w, item)


def _d_list_SqlitePgno(r: Reader) -> list[int]:
    return [_d_u32(r) for _ in range(_count(r))]


def _e_list_SqliteFetchedPage(w: Writer, v: list[SqliteFetchedPage]) -> None:
    w.uint(len(v))
    for item in v:
        _e_SqliteFetchedPage(w, item)


def _d_list_SqliteFetchedPage(r: Reader) -> list[SqliteFetchedPage]:
    return [_d_SqliteFetchedPage(r) for _ in range(_count(r))]


def _e_list_SqliteDirtyPage(w: Writer, v: list[SqliteDirtyPage]) -> None:
    w.uint(len(v))
    for item in v:
        _e_SqliteDirtyPage(w, item)


def _d_list_SqliteDirtyPage(r: Reader) -> list[SqliteDirtyPage]:
    return [_d_SqliteDirtyPage(r) for _ in range(_count(r))]


def _e_list_u32(w: Writer, v: list[int]) -> None:
    w.uint(len(v))
    for item in v:
        _e_u32(w, item)


def _d_list_u32(r: Reader) -> list[int]:
    return [_d_u32(r) for _ in range(_count(r))]


def _e_data_8(w: Writer, v: bytes) -> None:
    w.fixed(v, 8)


def _d_data_8(r: Reader) -> bytes:
    return r.fixed(8)


def _e_list_str(w: Writer, v: list[str]) -> None:
    w.uint(len(v))
    for item in v:
        _e_str(w, item)


def _d_list_str(r: Reader) -> list[str]:
    return [_d_str(r) for _ in range(_count(r))]


def _e_list_SqliteColumnValue(w: Writer, v: list[SqliteColumnValue]) -> None:
    w.uint(len(v))
    for item in v:
        _e_SqliteColumnValue(w, item)


def _d_list_SqliteColumnValue(r: Reader) -> list[SqliteColumnValue]:
    return [_d_SqliteColumnValue(r) for _ in range(_count(r))]


def _e_list_list_SqliteColumnValue(w: Writer, v: list[list[SqliteColumnValue]]) -> None:
    w.uint(len(v))
    for item in v:
        _e_list_SqliteColumnValue(w, item)


def _d_list_list_SqliteColumnValue(r: Reader) -> list[list[SqliteColumnValue]]:
    return [_d_list_SqliteColumnValue(r) for _ in range(_count(r))]


def _e_optional_i64(w: Writer, v: int | None) -> None:
    w.optional_present(v is not None)
    if v is not None:
        _e_i64(w, v)


def _d_optional_i64(r: Reader) -> int | None:
    return _d_i64(r) if r.optional() else None


def _e_list_SqliteBindParam(w: Writer, v: list[SqliteBindParam]) -> None:
    w.uint(len(v))
    for item in v:
        _e_SqliteBindParam(w, item)


def _d_list_SqliteBindParam(r: Reader) -> list[SqliteBindParam]:
    return [_d_SqliteBindParam(r) for _ in range(_count(r))]


def _e_optional_list_SqliteBindParam(w: Writer, v: list[SqliteBindParam] | None) -> None:
    w.optional_present(v is not None)
    if v is not None:
        _e_list_SqliteBindParam(w, v)


def _d_optional_list_SqliteBindParam(r: Reader) -> list[SqliteBindParam] | None:
    return _d_list_SqliteBindParam(r) if r.optional() else None


def _e_list_SqliteBatchStatement(w: Writer, v: list[SqliteBatchStatement]) -> None:
    w.uint(len(v))
    for item in v:
        _e_SqliteBatchStatement(w, item)


def _d_list_SqliteBatchStatement(r: Reader) -> list[SqliteBatchStatement]:
    return [_d_SqliteBatchStatement(r) for _ in range(_count(r))]


def _e_list_SqliteExecuteResult(w: Writer, v: list[SqliteExecuteResult]) -> None:
    w.uint(len(v))
    for item in v:
        _e_SqliteExecuteResult(w, item)


def _d_list_SqliteExecuteResult(r: Reader) -> list[SqliteExecuteResult]:
    return [_d_SqliteExecuteResult(r) for _ in range(_count(r))]


def _e_optional_str(w: Writer, v: str | None) -> None:
    w.optional_present(v is not None)
    if v is not None:
        _e_str(w, v)


def _d_optional_str(r: Reader) -> str | None:
    return _d_str(r) if r.optional() else None


def _e_optional_data(w: Writer, v: bytes | None) -> None:
    w.optional_present(v is not None)
    if v is not None:
        _e_data(w, v)


def _d_optional_data(r: Reader) -> bytes | None:
    return _d_data(r) if r.optional() else None


def _e_list_PreloadedKvEntry(w: Writer, v: list[PreloadedKvEntry]) -> None:
    w.uint(len(v))
    for item in v:
        _e_PreloadedKvEntry(w, item)


def _d_list_PreloadedKvEntry(r: Reader) -> list[PreloadedKvEntry]:
    return [_d_PreloadedKvEntry(r) for _ in range(_count(r))]


def _e_data_4(w: Writer, v: bytes) -> None:
    w.fixed(v, 4)


def _d_data_4(r: Reader) -> bytes:
    return r.fixed(4)


def _e_list_HibernatingRequest(w: Writer, v: list[HibernatingRequest]) -> None:
    w.uint(len(v))
    for item in v:
        _e_HibernatingRequest(w, item)


def _d_list_HibernatingRequest(r: Reader) -> list[HibernatingRequest]:
    return [_d_HibernatingRequest(r) for _ in range(_count(r))]


def _e_optional_PreloadedKv(w: Writer, v: PreloadedKv | None) -> None:
    w.optional_present(v is not None)
    if v is not None:
        _e_PreloadedKv(w, v)


def _d_optional_PreloadedKv(r: Reader) -> PreloadedKv | None:
    return _d_PreloadedKv(r) if r.optional() else None


def _e_u16(w: Writer, v: int) -> None:
    w.u16(v)


def _d_u16(r: Reader) -> int:
    return r.u16()


def _e_optional_u32(w: Writer, v: int | None) -> None:
    w.optional_present(v is not None)
    if v is not None:
        _e_u32(w, v)


def _d_optional_u32(r: Reader) -> int | None:
    return _d_u32(r) if r.optional() else None


def _e_map_str_str(w: Writer, v: dict[str, str]) -> None:
    w.uint(len(v))
    for k, item in v.items():
        _e_str(w, k)
        _e_str(w, item)


def _d_map_str_str(r: Reader) -> dict[str, str]:
    out: dict[str, str] = {}
    for _ in range(_count(r)):
        k = _d_str(r)
        if k in out:
            raise BareError("duplicate map key")
        out[k] = _d_str(r)
    return out


def _e_optional_Id(w: Writer, v: str | None) -> None:
    w.optional_present(v is not None)
    if v is not None:
        _e_str(w, v)


def _d_optional_Id(r: Reader) -> str | None:
    return _d_str(r) if r.optional() else None


def _e_optional_u16(w: Writer, v: int | None) -> None:
    w.optional_present(v is not None)
    if v is not None:
        _e_u16(w, v)


def _d_optional_u16(r: Reader) -> int | None:
    return _d_u16(r) if r.optional() else None


def _e_map_str_ActorName(w: Writer, v: dict[str, ActorName]) -> None:
    w.uint(len(v))
    for k, item in v.items():
        _e_str(w, k)
        _e_ActorName(w, item)


def _d_map_str_ActorName(r: Reader) -> dict[str, ActorName]:
    out: dict[str, ActorName] = {}
    for _ in range(_count(r)):
        k = _d_str(r)
        if k in out:
            raise BareError("duplicate map key")
        out[k] = _d_ActorName(r)
    return out


def _e_optional_map_str_ActorName(w: Writer, v: dict[str, ActorName] | None) -> None:
    w.optional_present(v is not None)
    if v is not None:
        _e_map_str_ActorName(w, v)


def _d_optional_map_str_ActorName(r: Reader) -> dict[str, ActorName] | None:
    return _d_map_str_ActorName(r) if r.optional() else None


def _e_optional_Json(w: Writer, v: str | None) -> None:
    w.optional_present(v is not None)
    if v is not None:
        _e_str(w, v)


def _d_optional_Json(r: Reader) -> str | None:
    return _d_str(r) if r.optional() else None


def _e_list_EventWrapper(w: Writer, v: list[EventWrapper]) -> None:
    w.uint(len(v))
    for item in v:
        _e_EventWrapper(w, item)


def _d_list_EventWrapper(r: Reader) -> list[EventWrapper]:
    return [_d_EventWrapper(r) for _ in range(_count(r))]


def _e_list_ActorCheckpoint(w: Writer, v: list[ActorCheckpoint]) -> None:
    w.uint(len(v))
    for item in v:
        _e_ActorCheckpoint(w, item)


def _d_list_ActorCheckpoint(r: Reader) -> list[ActorCheckpoint]:
    return [_d_ActorCheckpoint(r) for _ in range(_count(r))]


def _e_list_CommandWrapper(w: Writer, v: list[CommandWrapper]) -> None:
    w.uint(len(v))
    for item in v:
        _e_CommandWrapper(w, item)


def _d_list_CommandWrapper(r: Reader) -> list[CommandWrapper]:
    return [_d_CommandWrapper(r) for _ in range(_count(r))]


@dataclass(frozen=True, slots=True)
class ActorIntentSleep:
    pass


def _e_ActorIntentSleep(w: Writer, v: ActorIntentSleep) -> None:
    pass


def _d_ActorIntentSleep(r: Reader) -> ActorIntentSleep:
    return ActorIntentSleep()


@dataclass(frozen=True, slots=True)
class ActorIntentStop:
    pass


def _e_ActorIntentStop(w: Writer, v: ActorIntentStop) -> None:
    pass


def _d_ActorIntentStop(r: Reader) -> ActorIntentStop:
    return ActorIntentStop()


@dataclass(frozen=True, slots=True)
class ActorStateRunning:
    pass


def _e_ActorStateRunning(w: Writer, v: ActorStateRunning) -> None:
    pass


def _d_ActorStateRunning(r: Reader) -> ActorStateRunning:
    return ActorStateRunning()


@dataclass(frozen=True, slots=True)
class KvDeleteResponse:
    pass


def _e_KvDeleteResponse(w: Writer, v: KvDeleteResponse) -> None:
    pass


def _d_KvDeleteResponse(r: Reader) -> KvDeleteResponse:
    return KvDeleteResponse()


@dataclass(frozen=True, slots=True)
class KvDropRequest:
    pass


def _e_KvDropRequest(w: Writer, v: KvDropRequest) -> None:
    pass


def _d_KvDropRequest(r: Reader) -> KvDropRequest:
    return KvDropRequest()


@dataclass(frozen=True, slots=True)
class KvDropResponse:
    pass


def _e_KvDropResponse(w: Writer, v: KvDropResponse) -> None:
    pass


def _d_KvDropResponse(r: Reader) -> KvDropResponse:
    return KvDropResponse()


@dataclass(frozen=True, slots=True)
class KvListAllQuery:
    pass


def _e_KvListAllQuery(w: Writer, v: KvListAllQuery) -> None:
    pass


def _d_KvListAllQuery(r: Reader) -> KvListAllQuery:
    return KvListAllQuery()


@dataclass(frozen=True, slots=True)
class KvPutResponse:
    pass


def _e_KvPutResponse(w: Writer, v: KvPutResponse) -> None:
    pass


def _d_KvPutResponse(r: Reader) -> KvPutResponse:
    return KvPutResponse()


@dataclass(frozen=True, slots=True)
class SqliteValueNull:
    pass


def _e_SqliteValueNull(w: Writer, v: SqliteValueNull) -> None:
    pass


def _d_SqliteValueNull(r: Reader) -> SqliteValueNull:
    return SqliteValueNull()


@dataclass(frozen=True, slots=True)
class ToEnvoyConnClose:
    pass


def _e_ToEnvoyConnClose(w: Writer, v: ToEnvoyConnClose) -> None:
    pass


def _d_ToEnvoyConnClose(r: Reader) -> ToEnvoyConnClose:
    return ToEnvoyConnClose()


@dataclass(frozen=True, slots=True)
class ToEnvoyRequestBodyCancel:
    pass


def _e_ToEnvoyRequestBodyCancel(w: Writer, v: ToEnvoyRequestBodyCancel) -> None:
    pass


def _d_ToEnvoyRequestBodyCancel(r: Reader) -> ToEnvoyRequestBodyCancel:
    return ToEnvoyRequestBodyCancel()


@dataclass(frozen=True, slots=True)
class ToRivetRequestBodyCancel:
    pass


def _e_ToRivetRequestBodyCancel(w: Writer, v: ToRivetRequestBodyCancel) -> None:
    pass


def _d_ToRivetRequestBodyCancel(r: Reader) -> ToRivetRequestBodyCancel:
    return ToRivetRequestBodyCancel()


@dataclass(frozen=True, slots=True)
class ToRivetStopping:
    pass


def _e_ToRivetStopping(w: Writer, v: ToRivetStopping) -> None:
    pass


def _d_ToRivetStopping(r: Reader) -> ToRivetStopping:
    return ToRivetStopping()


Id: TypeAlias = str


Json: TypeAlias = str


GatewayId: TypeAlias = bytes


RequestId: TypeAlias = bytes


MessageIndex: TypeAlias = int


KvKey: TypeAlias = bytes


KvValue: TypeAlias = bytes


@dataclass(slots=True)
class KvMetadata:
    version: bytes
    update_ts: int


def _e_KvMetadata(w: Writer, v: KvMetadata) -> None:
    _e_data(w, v.version)
    _e_i64(w, v.update_ts)


def _d_KvMetadata(r: Reader) -> KvMetadata:
    return KvMetadata(_d_data(r), _d_i64(r))


@dataclass(slots=True)
class KvListRangeQuery:
    start: bytes
    end: bytes
    exclusive: bool


def _e_KvListRangeQuery(w: Writer, v: KvListRangeQuery) -> None:
    _e_data(w, v.start)
    _e_data(w, v.end)
    _e_bool(w, v.exclusive)


def _d_KvListRangeQuery(r: Reader) -> KvListRangeQuery:
    return KvListRangeQuery(_d_data(r), _d_data(r), _d_bool(r))


@dataclass(slots=True)
class KvListPrefixQuery:
    key: bytes


def _e_KvListPrefixQuery(w: Writer, v: KvListPrefixQuery) -> None:
    _e_data(w, v.key)


def _d_KvListPrefixQuery(r: Reader) -> KvListPrefixQuery:
    return KvListPrefixQuery(_d_data(r))


@dataclass(slots=True)
class KvGetRequest:
    keys: list[bytes]


def _e_KvGetRequest(w: Writer, v: KvGetRequest) -> None:
    _e_list_KvKey(w, v.keys)


def _d_KvGetRequest(r: Reader) -> KvGetRequest:
    return KvGetRequest(_d_list_KvKey(r))


@dataclass(slots=True)
class KvListRequest:
    query: KvListQuery
    reverse: bool | None
    limit: int | None


def _e_KvListRequest(w: Writer, v: KvListRequest) -> None:
    _e_KvListQuery(w, v.query)
    _e_optional_bool(w, v.reverse)
    _e_optional_u64(w, v.limit)


def _d_KvListRequest(r: Reader) -> KvListRequest:
    return KvListRequest(_d_KvListQuery(r), _d_optional_bool(r), _d_optional_u64(r))


@dataclass(slots=True)
class KvPutRequest:
    keys: list[bytes]
    values: list[bytes]


def _e_KvPutRequest(w: Writer, v: KvPutRequest) -> None:
    _e_list_KvKey(w, v.keys)
    _e_list_KvValue(w, v.values)


def _d_KvPutRequest(r: Reader) -> KvPutRequest:
    return KvPutRequest(_d_list_KvKey(r), _d_list_KvValue(r))


@dataclass(slots=True)
class KvDeleteRequest:
    keys: list[bytes]


def _e_KvDeleteRequest(w: Writer, v: KvDeleteRequest) -> None:
    _e_list_KvKey(w, v.keys)


def _d_KvDeleteRequest(r: Reader) -> KvDeleteRequest:
    return KvDeleteRequest(_d_list_KvKey(r))


@dataclass(slots=True)
class KvDeleteRangeRequest:
    start: bytes
    end: bytes


def _e_KvDeleteRangeRequest(w: Writer, v: KvDeleteRangeRequest) -> None:
    _e_data(w, v.start)
    _e_data(w, v.end)


def _d_KvDeleteRangeRequest(r: Reader) -> KvDeleteRangeRequest:
    return KvDeleteRangeRequest(_d_data(r), _d_data(r))


@dataclass(slots=True)
class KvErrorResponse:
    message: str


def _e_KvErrorResponse(w: Writer, v: KvErrorResponse) -> None:
    _e_str(w, v.message)


def _d_KvErrorResponse(r: Reader) -> KvErrorResponse:
    return KvErrorResponse(_d_str(r))


@dataclass(slots=True)
class KvGetResponse:
    keys: list[bytes]
    values: list[bytes]
    metadata: list[KvMetadata]


def _e_KvGetResponse(w: Writer, v: KvGetResponse) -> None:
    _e_list_KvKey(w, v.keys)
    _e_list_KvValue(w, v.values)
    _e_list_KvMetadata(w, v.metadata)


def _d_KvGetResponse(r: Reader) -> KvGetResponse:
    return KvGetResponse(_d_list_KvKey(r), _d_list_KvValue(r), _d_list_KvMetadata(r))


@dataclass(slots=True)
class KvListResponse:
    keys: list[bytes]
    values: list[bytes]
    metadata: list[KvMetadata]


def _e_KvListResponse(w: Writer, v: KvListResponse) -> None:
    _e_list_KvKey(w, v.keys)
    _e_list_KvValue(w, v.values)
    _e_list_KvMetadata(w, v.metadata)


def _d_KvListResponse(r: Reader) -> KvListResponse:
    return KvListResponse(_d_list_KvKey(r), _d_list_KvValue(r), _d_list_KvMetadata(r))


SqlitePgno: TypeAlias = int


SqliteGeneration: TypeAlias = int


SqlitePageBytes: TypeAlias = bytes


@dataclass(slots=True)
class SqliteDirtyPage:
    pgno: int
    bytes: bytes


def _e_SqliteDirtyPage(w: Writer, v: SqliteDirtyPage) -> None:
    _e_u32(w, v.pgno)
    _e_data(w, v.bytes)


def _d_SqliteDirtyPage(r: Reader) -> SqliteDirtyPage:
    return SqliteDirtyPage(_d_u32(r), _d_data(r))


@dataclass(slots=True)
class SqliteFetchedPage:
    pgno: int
    bytes: bytes | None


def _e_SqliteFetchedPage(w: Writer, v: SqliteFetchedPage) -> None:
    _e_u32(w, v.pgno)
    _e_optional_SqlitePageBytes(w, v.bytes)


def _d_SqliteFetchedPage(r: Reader) -> SqliteFetchedPage:
    return SqliteFetchedPage(_d_u32(r), _d_optional_SqlitePageBytes(r))


@dataclass(slots=True)
class SqliteGetPagesRequest:
    actor_id: str
    pgnos: list[int]
    expected_generation: int | None
    expected_head_txid: int | None


def _e_SqliteGetPagesRequest(w: Writer, v: SqliteGetPagesRequest) -> None:
    _e_str(w, v.actor_id)
    _e_list_SqlitePgno(w, v.pgnos)
    _e_optional_u64(w, v.expected_generation)
    _e_optional_u64(w, v.expected_head_txid)


def _d_SqliteGetPagesRequest(r: Reader) -> SqliteGetPagesRequest:
    return SqliteGetPagesRequest(_d_str(r), _d_list_SqlitePgno(r), _d_optional_u64(r), _d_optional_u64(r))


@dataclass(slots=True)
class SqliteGetPagesOk:
    pages: list[SqliteFetchedPage]
    head_txid: int | None


def _e_SqliteGetPagesOk(w: Writer, v: SqliteGetPagesOk) -> None:
    _e_list_SqliteFetchedPage(w, v.pages)
    _e_optional_u64(w, v.head_txid)


def _d_SqliteGetPagesOk(r: Reader) -> SqliteGetPagesOk:
    return SqliteGetPagesOk(_d_list_SqliteFetchedPage(r), _d_optional_u64(r))


@dataclass(slots=True)
class SqliteErrorResponse:
    group: str
    code: str
    message: str


def _e_SqliteErrorResponse(w: Writer, v: SqliteErrorResponse) -> None:
    _e_str(w, v.group)
    _e_str(w, v.code)
    _e_str(w, v.message)


def _d_SqliteErrorResponse(r: Reader) -> SqliteErrorResponse:
    return SqliteErrorResponse(_d_str(r), _d_str(r), _d_str(r))


@dataclass(slots=True)
class SqliteCommitRequest:
    actor_id: str
    dirty_pages: list[SqliteDirtyPage]
    db_size_pages: int
    now_ms: int
    expected_generation: int | None
    expected_head_txid: int | None


def _e_SqliteCommitRequest(w: Writer, v: SqliteCommitRequest) -> None:
    _e_str(w, v.actor_id)
    _e_list_SqliteDirtyPage(w, v.dirty_pages)
    _e_u32(w, v.db_size_pages)
    _e_i64(w, v.now_ms)
    _e_optional_u64(w, v.expected_generation)
    _e_optional_u64(w, v.expected_head_txid)


def _d_SqliteCommitRequest(r: Reader) -> SqliteCommitRequest:
    return SqliteCommitRequest(_d_str(r), _d_list_SqliteDirtyPage(r), _d_u32(r), _d_i64(r), _d_optional_u64(r), _d_optional_u64(r))


@dataclass(slots=True)
class SqliteCommitOk:
    head_txid: int | None


def _e_SqliteCommitOk(w: Writer, v: SqliteCommitOk) -> None:
    _e_optional_u64(w, v.head_txid)


def _d_SqliteCommitOk(r: Reader) -> SqliteCommitOk:
    return SqliteCommitOk(_d_optional_u64(r))


@dataclass(slots=True)
class SqliteCommitStageBeginRequest:
    actor_id: str
    expected_generation: int | None
    expected_head_txid: int | None


def _e_SqliteCommitStageBeginRequest(w: Writer, v: SqliteCommitStageBeginRequest) -> None:
    _e_str(w, v.actor_id)
    _e_optional_u64(w, v.expected_generation)
    _e_optional_u64(w, v.expected_head_txid)


def _d_SqliteCommitStageBeginRequest(r: Reader) -> SqliteCommitStageBeginRequest:
    return SqliteCommitStageBeginRequest(_d_str(r), _d_optional_u64(r), _d_optional_u64(r))


@dataclass(slots=True)
class SqliteCommitStageBeginOk:
    txid: int


def _e_SqliteCommitStageBeginOk(w: Writer, v: SqliteCommitStageBeginOk) -> None:
    _e_u64(w, v.txid)


def _d_SqliteCommitStageBeginOk(r: Reader) -> SqliteCommitStageBeginOk:
    return SqliteCommitStageBeginOk(_d_u64(r))


@dataclass(slots=True)
class SqliteCommitStageSegmentRequest:
    actor_id: str
    expected_generation: int | None
    txid: int
    first_pgno: int
    dirty_pages: list[SqliteDirtyPage]


def _e_SqliteCommitStageSegmentRequest(w: Writer, v: SqliteCommitStageSegmentRequest) -> None:
    _e_str(w, v.actor_id)
    _e_optional_u64(w, v.expected_generation)
    _e_u64(w, v.txid)
    _e_u32(w, v.first_pgno)
    _e_list_SqliteDirtyPage(w, v.dirty_pages)


def _d_SqliteCommitStageSegmentRequest(r: Reader) -> SqliteCommitStageSegmentRequest:
    return SqliteCommitStageSegmentRequest(_d_str(r), _d_optional_u64(r), _d_u64(r), _d_u32(r), _d_list_SqliteDirtyPage(r))


@dataclass(slots=True)
class SqliteCommitStageSegmentOk:
    staged_bytes: int


def _e_SqliteCommitStageSegmentOk(w: Writer, v: SqliteCommitStageSegmentOk) -> None:
    _e_u64(w, v.staged_bytes)


def _d_SqliteCommitStageSegmentOk(r: Reader) -> SqliteCommitStageSegmentOk:
    return SqliteCommitStageSegmentOk(_d_u64(r))


@dataclass(slots=True)
class SqliteCommitFinalizeRequest:
    actor_id: str
    expected_generation: int | None
    txid: int
    new_db_size_pages: int
    now_ms: int
    segment_first_pgnos: list[int]


def _e_SqliteCommitFinalizeRequest(w: Writer, v: SqliteCommitFinalizeRequest) -> None:
    _e_str(w, v.actor_id)
    _e_optional_u64(w, v.expected_generation)
    _e_u64(w, v.txid)
    _e_u32(w, v.new_db_size_pages)
    _e_i64(w, v.now_ms)
    _e_list_u32(w, v.segment_first_pgnos)


def _d_SqliteCommitFinalizeRequest(r: Reader) -> SqliteCommitFinalizeRequest:
    return SqliteCommitFinalizeRequest(_d_str(r), _d_optional_u64(r), _d_u64(r), _d_u32(r), _d_i64(r), _d_list_u32(r))


@dataclass(slots=True)
class SqliteCommitFinalizeOk:
    head_txid: int | None


def _e_SqliteCommitFinalizeOk(w: Writer, v: SqliteCommitFinalizeOk) -> None:
    _e_optional_u64(w, v.head_txid)


def _d_SqliteCommitFinalizeOk(r: Reader) -> SqliteCommitFinalizeOk:
    return SqliteCommitFinalizeOk(_d_optional_u64(r))


@dataclass(slots=True)
class SqliteValueInteger:
    value: int


def _e_SqliteValueInteger(w: Writer, v: SqliteValueInteger) -> None:
    _e_i64(w, v.value)


def _d_SqliteValueInteger(r: Reader) -> SqliteValueInteger:
    return SqliteValueInteger(_d_i64(r))


@dataclass(slots=True)
class SqliteValueFloat:
    value: bytes


def _e_SqliteValueFloat(w: Writer, v: SqliteValueFloat) -> None:
    _e_data_8(w, v.value)


def _d_SqliteValueFloat(r: Reader) -> SqliteValueFloat:
    return SqliteValueFloat(_d_data_8(r))


@dataclass(slots=True)
class SqliteValueText:
    value: str


def _e_SqliteValueText(w: Writer, v: SqliteValueText) -> None:
    _e_str(w, v.value)


def _d_SqliteValueText(r: Reader) -> SqliteValueText:
    return SqliteValueText(_d_str(r))


@dataclass(slots=True)
class SqliteValueBlob:
    value: bytes


def _e_SqliteValueBlob(w: Writer, v: SqliteValueBlob) -> None:
    _e_data(w, v.value)


def _d_SqliteValueBlob(r: Reader) -> SqliteValueBlob:
    return SqliteValueBlob(_d_data(r))


@dataclass(slots=True)
class SqliteQueryResult:
    columns: list[str]
    rows: list[list[SqliteColumnValue]]


def _e_SqliteQueryResult(w: Writer, v: SqliteQueryResult) -> None:
    _e_list_str(w, v.columns)
    _e_list_list_SqliteColumnValue(w, v.rows)


def _d_SqliteQueryResult(r: Reader) -> SqliteQueryResult:
    return SqliteQueryResult(_d_list_str(r), _d_list_list_SqliteColumnValue(r))


@dataclass(slots=True)
class SqliteExecuteResult:
    columns: list[str]
    rows: list[list[SqliteColumnValue]]
    changes: int
    last_insert_row_id: int | None


def _e_SqliteExecuteResult(w: Writer, v: SqliteExecuteResult) -> None:
    _e_list_str(w, v.columns)
    _e_list_list_SqliteColumnValue(w, v.rows)
    _e_i64(w, v.changes)
    _e_optional_i64(w, v.last_insert_row_id)


def _d_SqliteExecuteResult(r: Reader) -> SqliteExecuteResult:
    return SqliteExecuteResult(_d_list_str(r), _d_list_list_SqliteColumnValue(r), _d_i64(r), _d_optional_i64(r))


@dataclass(slots=True)
class SqliteExecRequest:
    namespace_id: str
    actor_id: str
    generation: int
    sql: str


def _e_SqliteExecRequest(w: Writer, v: SqliteExecRequest) -> None:
    _e_str(w, v.namespace_id)
    _e_str(w, v.actor_id)
    _e_u64(w, v.generation)
    _e_str(w, v.sql)


def _d_SqliteExecRequest(r: Reader) -> SqliteExecRequest:
    return SqliteExecRequest(_d_str(r), _d_str(r), _d_u64(r), _d_str(r))


@dataclass(slots=True)
class SqliteExecuteRequest:
    namespace_id: str
    actor_id: str
    generation: int
    sql: str
    params: list[SqliteBindParam] | None


def _e_SqliteExecuteRequest(w: Writer, v: SqliteExecuteRequest) -> None:
    _e_str(w, v.namespace_id)
    _e_str(w, v.actor_id)
    _e_u64(w, v.generation)
    _e_str(w, v.sql)
    _e_optional_list_SqliteBindParam(w, v.params)


def _d_SqliteExecuteRequest(r: Reader) -> SqliteExecuteRequest:
    return SqliteExecuteRequest(_d_str(r), _d_str(r), _d_u64(r), _d_str(r), _d_optional_list_SqliteBindParam(r))


@dataclass(slots=True)
class SqliteBatchStatement:
    sql: str
    params: list[SqliteBindParam] | None


def _e_SqliteBatchStatement(w: Writer, v: SqliteBatchStatement) -> None:
    _e_str(w, v.sql)
    _e_optional_list_SqliteBindParam(w, v.params)


def _d_SqliteBatchStatement(r: Reader) -> SqliteBatchStatement:
    return SqliteBatchStatement(_d_str(r), _d_optional_list_SqliteBindParam(r))


@dataclass(slots=True)
class SqliteExecuteBatchRequest:
    namespace_id: str
    actor_id: str
    generation: int
    statements: list[SqliteBatchStatement]


def _e_SqliteExecuteBatchRequest(w: Writer, v: SqliteExecuteBatchRequest) -> None:
    _e_str(w, v.namespace_id)
    _e_str(w, v.actor_id)
    _e_u64(w, v.generation)
    _e_list_SqliteBatchStatement(w, v.statements)


def _d_SqliteExecuteBatchRequest(r: Reader) -> SqliteExecuteBatchRequest:
    return SqliteExecuteBatchRequest(_d_str(r), _d_str(r), _d_u64(r), _d_list_SqliteBatchStatement(r))


@dataclass(slots=True)
class SqliteExecOk:
    result: SqliteQueryResult


def _e_SqliteExecOk(w: Writer, v: SqliteExecOk) -> None:
    _e_SqliteQueryResult(w, v.result)


def _d_SqliteExecOk(r: Reader) -> SqliteExecOk:
    return SqliteExecOk(_d_SqliteQueryResult(r))


@dataclass(slots=True)
class SqliteExecuteOk:
    result: SqliteExecuteResult


def _e_SqliteExecuteOk(w: Writer, v: SqliteExecuteOk) -> None:
    _e_SqliteExecuteResult(w, v.result)


def _d_SqliteExecuteOk(r: Reader) -> SqliteExecuteOk:
    return SqliteExecuteOk(_d_SqliteExecuteResult(r))


@dataclass(slots=True)
class SqliteExecuteBatchOk:
    results: list[SqliteExecuteResult]


def _e_SqliteExecuteBatchOk(w: Writer, v: SqliteExecuteBatchOk) -> None:
    _e_list_SqliteExecuteResult(w, v.results)


def _d_SqliteExecuteBatchOk(r: Reader) -> SqliteExecuteBatchOk:
    return SqliteExecuteBatchOk(_d_list_SqliteExecuteResult(r))


class StopCode(enum.IntEnum):
    Ok = 0
    Error = 1


def _e_StopCode(w: Writer, v: StopCode) -> None:
    w.uint(int(v))


def _d_StopCode(r: Reader) -> StopCode:
    tag = r.uint()
    try:
        return StopCode(tag)
    except ValueError:
        raise BareError(f"unknown StopCode member {tag}") from None


@dataclass(slots=True)
class ActorName:
    metadata: str


def _e_ActorName(w: Writer, v: ActorName) -> None:
    _e_str(w, v.metadata)


def _d_ActorName(r: Reader) -> ActorName:
    return ActorName(_d_str(r))


@dataclass(slots=True)
class ActorConfig:
    name: str
    key: str | None
    create_ts: int
    input: bytes | None


def _e_ActorConfig(w: Writer, v: ActorConfig) -> None:
    _e_str(w, v.name)
    _e_optional_str(w, v.key)
    _e_i64(w, v.create_ts)
    _e_optional_data(w, v.input)


def _d_ActorConfig(r: Reader) -> ActorConfig:
    return ActorConfig(_d_str(r), _d_optional_str(r), _d_i64(r), _d_optional_data(r))


@dataclass(slots=True)
class ActorCheckpoint:
    actor_id: str
    generation: int
    index: int


def _e_ActorCheckpoint(w: Writer, v: ActorCheckpoint) -> None:
    _e_str(w, v.actor_id)
    _e_u32(w, v.generation)
    _e_i64(w, v.index)


def _d_ActorCheckpoint(r: Reader) -> ActorCheckpoint:
    return ActorCheckpoint(_d_str(r), _d_u32(r), _d_i64(r))


@dataclass(slots=True)
class ActorStateStopped:
    code: StopCode
    message: str | None


def _e_ActorStateStopped(w: Writer, v: ActorStateStopped) -> None:
    _e_StopCode(w, v.code)
    _e_optional_str(w, v.message)


def _d_ActorStateStopped(r: Reader) -> ActorStateStopped:
    return ActorStateStopped(_d_StopCode(r), _d_optional_str(r))


@dataclass(slots=True)
class EventActorIntent:
    intent: ActorIntent


def _e_EventActorIntent(w: Writer, v: EventActorIntent) -> None:
    _e_ActorIntent(w, v.intent)


def _d_EventActorIntent(r: Reader) -> EventActorIntent:
    return EventActorIntent(_d_ActorIntent(r))


@dataclass(slots=True)
class EventActorStateUpdate:
    state: ActorState


def _e_EventActorStateUpdate(w: Writer, v: EventActorStateUpdate) -> None:
    _e_ActorState(w, v.state)


def _d_EventActorStateUpdate(r: Reader) -> EventActorStateUpdate:
    return EventActorStateUpdate(_d_ActorState(r))


@dataclass(slots=True)
class EventActorSetAlarm:
    alarm_ts: int | None


def _e_EventActorSetAlarm(w: Writer, v: EventActorSetAlarm) -> None:
    _e_optional_i64(w, v.alarm_ts)


def _d_EventActorSetAlarm(r: Reader) -> EventActorSetAlarm:
    return EventActorSetAlarm(_d_optional_i64(r))


@dataclass(slots=True)
class EventWrapper:
    checkpoint: ActorCheckpoint
    inner: Event


def _e_EventWrapper(w: Writer, v: EventWrapper) -> None:
    _e_ActorCheckpoint(w, v.checkpoint)
    _e_Event(w, v.inner)


def _d_EventWrapper(r: Reader) -> EventWrapper:
    return EventWrapper(_d_ActorCheckpoint(r), _d_Event(r))


@dataclass(slots=True)
class PreloadedKvEntry:
    key: bytes
    value: bytes
    metadata: KvMetadata


def _e_PreloadedKvEntry(w: Writer, v: PreloadedKvEntry) -> None:
    _e_data(w, v.key)
    _e_data(w, v.value)
    _e_KvMetadata(w, v.metadata)


def _d_PreloadedKvEntry(r: Reader) -> PreloadedKvEntry:
    return PreloadedKvEntry(_d_data(r), _d_data(r), _d_KvMetadata(r))


@dataclass(slots=True)
class PreloadedKv:
    entries: list[PreloadedKvEntry]
    requested_get_keys: list[bytes]
    requested_prefixes: list[bytes]


def _e_PreloadedKv(w: Writer, v: PreloadedKv) -> None:
    _e_list_PreloadedKvEntry(w, v.entries)
    _e_list_KvKey(w, v.requested_get_keys)
    _e_list_KvKey(w, v.requested_prefixes)


def _d_PreloadedKv(r: Reader) -> PreloadedKv:
    return PreloadedKv(_d_list_PreloadedKvEntry(r), _d_list_KvKey(r), _d_list_KvKey(r))


@dataclass(slots=True)
class HibernatingRequest:
    gateway_id: bytes
    request_id: bytes


def _e_HibernatingRequest(w: Writer, v: HibernatingRequest) -> None:
    _e_data_4(w, v.gateway_id)
    _e_data_4(w, v.request_id)


def _d_HibernatingRequest(r: Reader) -> HibernatingRequest:
    return HibernatingRequest(_d_data_4(r), _d_data_4(r))


@dataclass(slots=True)
class CommandStartActor:
    config: ActorConfig
    hibernating_requests: list[HibernatingRequest]
    preloaded_kv: PreloadedKv | None


def _e_CommandStartActor(w: Writer, v: CommandStartActor) -> None:
    _e_ActorConfig(w, v.config)
    _e_list_HibernatingRequest(w, v.hibernating_requests)
    _e_optional_PreloadedKv(w, v.preloaded_kv)


def _d_CommandStartActor(r: Reader) -> CommandStartActor:
    return CommandStartActor(_d_ActorConfig(r), _d_list_HibernatingRequest(r), _d_optional_PreloadedKv(r))


class StopActorReason(enum.IntEnum):
    SleepIntent = 0
    StopIntent = 1
    Destroy = 2
    GoingAway = 3
    Lost = 4


def _e_StopActorReason(w: Writer, v: StopActorReason) -> None:
    w.uint(int(v))


def _d_StopActorReason(r: Reader) -> StopActorReason:
    tag = r.uint()
    try:
        return StopActorReason(tag)
    except ValueError:
        raise BareError(f"unknown StopActorReason member {tag}") from None


@dataclass(slots=True)
class CommandStopActor:
    reason: StopActorReason


def _e_CommandStopActor(w: Writer, v: CommandStopActor) -> None:
    _e_StopActorReason(w, v.reason)


def _d_CommandStopActor(r: Reader) -> CommandStopActor:
    return CommandStopActor(_d_StopActorReason(r))


@dataclass(slots=True)
class CommandWrapper:
    checkpoint: ActorCheckpoint
    inner: Command


def _e_CommandWrapper(w: Writer, v: CommandWrapper) -> None:
    _e_ActorCheckpoint(w, v.checkpoint)
    _e_Command(w, v.inner)


def _d_CommandWrapper(r: Reader) -> CommandWrapper:
    return CommandWrapper(_d_ActorCheckpoint(r), _d_Command(r))


@dataclass(slots=True)
class MessageId:
    gateway_id: bytes
    request_id: bytes
    message_index: int


def _e_MessageId(w: Writer, v: MessageId) -> None:
    _e_data_4(w, v.gateway_id)
    _e_data_4(w, v.request_id)
    _e_u16(w, v.message_index)


def _d_MessageId(r: Reader) -> MessageId:
    return MessageId(_d_data_4(r), _d_data_4(r), _d_u16(r))


@dataclass(slots=True)
class ToEnvoyRequestStart:
    actor_id: str
    actor_generation: int | None
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    stream: bool
    response_stream: bool


def _e_ToEnvoyRequestStart(w: Writer, v: ToEnvoyRequestStart) -> None:
    _e_str(w, v.actor_id)
    _e_optional_u32(w, v.actor_generation)
    _e_str(w, v.method)
    _e_str(w, v.path)
    _e_map_str_str(w, v.headers)
    _e_optional_data(w, v.body)
    _e_bool(w, v.stream)
    _e_bool(w, v.response_stream)


def _d_ToEnvoyRequestStart(r: Reader) -> ToEnvoyRequestStart:
    return ToEnvoyRequestStart(_d_str(r), _d_optional_u32(r), _d_str(r), _d_str(r), _d_map_str_str(r), _d_optional_data(r), _d_bool(r), _d_bool(r))


@dataclass(slots=True)
class ToEnvoyRequestChunk:
    body: bytes
    finish: bool


def _e_ToEnvoyRequestChunk(w: Writer, v: ToEnvoyRequestChunk) -> None:
    _e_data(w, v.body)
    _e_bool(w, v.finish)


def _d_ToEnvoyRequestChunk(r: Reader) -> ToEnvoyRequestChunk:
    return ToEnvoyRequestChunk(_d_data(r), _d_bool(r))


@dataclass(slots=True)
class ToRivetRequestBodyWindowUpdate:
    consumed_bytes: int


def _e_ToRivetRequestBodyWindowUpdate(w: Writer, v: ToRivetRequestBodyWindowUpdate) -> None:
    _e_u64(w, v.consumed_bytes)


def _d_ToRivetRequestBodyWindowUpdate(r: Reader) -> ToRivetRequestBodyWindowUpdate:
    return ToRivetRequestBodyWindowUpdate(_d_u64(r))


class HttpStreamAbortReasonKind(enum.IntEnum):
    Unknown = 0
    Cancelled = 1
    HandlerError = 2
    InternalError = 3


def _e_HttpStreamAbortReasonKind(w: Writer, v: HttpStreamAbortReasonKind) -> None:
    w.uint(int(v))


def _d_HttpStreamAbortReasonKind(r: Reader) -> HttpStreamAbortReasonKind:
    tag = r.uint()
    try:
        return HttpStreamAbortReasonKind(tag)
    except ValueError:
        raise BareError(f"unknown HttpStreamAbortReasonKind member {tag}") from None


@dataclass(slots=True)
class HttpStreamAbortReason:
    kind: HttpStreamAbortReasonKind
    detail: str | None


def _e_HttpStreamAbortReason(w: Writer, v: HttpStreamAbortReason) -> None:
    _e_HttpStreamAbortReasonKind(w, v.kind)
    _e_optional_str(w, v.detail)


def _d_HttpStreamAbortReason(r: Reader) -> HttpStreamAbortReason:
    return HttpStreamAbortReason(_d_HttpStreamAbortReasonKind(r), _d_optional_str(r))


@dataclass(slots=True)
class ToEnvoyRequestAbort:
    actor_id: str | None
    actor_generation: int | None
    reason: HttpStreamAbortReason


def _e_ToEnvoyRequestAbort(w: Writer, v: ToEnvoyRequestAbort) -> None:
    _e_optional_Id(w, v.actor_id)
    _e_optional_u32(w, v.actor_generation)
    _e_HttpStreamAbortReason(w, v.reason)


def _d_ToEnvoyRequestAbort(r: Reader) -> ToEnvoyRequestAbort:
    return ToEnvoyRequestAbort(_d_optional_Id(r), _d_optional_u32(r), _d_HttpStreamAbortReason(r))


@dataclass(slots=True)
class ToRivetResponseStart:
    status: int
    headers: dict[str, str]
    body: bytes | None
    stream: bool


def _e_ToRivetResponseStart(w: Writer, v: ToRivetResponseStart) -> None:
    _e_u16(w, v.status)
    _e_map_str_str(w, v.headers)
    _e_optional_data(w, v.body)
    _e_bool(w, v.stream)


def _d_ToRivetResponseStart(r: Reader) -> ToRivetResponseStart:
    return ToRivetResponseStart(_d_u16(r), _d_map_str_str(r), _d_optional_data(r), _d_bool(r))


@dataclass(slots=True)
class ToRivetResponseChunk:
    body: bytes
    finish: bool


def _e_ToRivetResponseChunk(w: Writer, v: ToRivetResponseChunk) -> None:
    _e_data(w, v.body)
    _e_bool(w, v.finish)


def _d_ToRivetResponseChunk(r: Reader) -> ToRivetResponseChunk:
    return ToRivetResponseChunk(_d_data(r), _d_bool(r))


@dataclass(slots=True)
class ToEnvoyResponseBodyWindowUpdate:
    consumed_bytes: int


def _e_ToEnvoyResponseBodyWindowUpdate(w: Writer, v: ToEnvoyResponseBodyWindowUpdate) -> None:
    _e_u64(w, v.consumed_bytes)


def _d_ToEnvoyResponseBodyWindowUpdate(r: Reader) -> ToEnvoyResponseBodyWindowUpdate:
    return ToEnvoyResponseBodyWindowUpdate(_d_u64(r))


@dataclass(slots=True)
class ToRivetResponseAbort:
    reason: HttpStreamAbortReason


def _e_ToRivetResponseAbort(w: Writer, v: ToRivetResponseAbort) -> None:
    _e_HttpStreamAbortReason(w, v.reason)


def _d_ToRivetResponseAbort(r: Reader) -> ToRivetResponseAbort:
    return ToRivetResponseAbort(_d_HttpStreamAbortReason(r))


@dataclass(slots=True)
class ToEnvoyWebSocketOpen:
    actor_id: str
    actor_generation: int | None
    path: str
    headers: dict[str, str]


def _e_ToEnvoyWebSocketOpen(w: Writer, v: ToEnvoyWebSocketOpen) -> None:
    _e_str(w, v.actor_id)
    _e_optional_u32(w, v.actor_generation)
    _e_str(w, v.path)
    _e_map_str_str(w, v.headers)


def _d_ToEnvoyWebSocketOpen(r: Reader) -> ToEnvoyWebSocketOpen:
    return ToEnvoyWebSocketOpen(_d_str(r), _d_optional_u32(r), _d_str(r), _d_map_str_str(r))


@dataclass(slots=True)
class ToEnvoyWebSocketMessage:
    data: bytes
    binary: bool


def _e_ToEnvoyWebSocketMessage(w: Writer, v: ToEnvoyWebSocketMessage) -> None:
    _e_data(w, v.data)
    _e_bool(w, v.binary)


def _d_ToEnvoyWebSocketMessage(r: Reader) -> ToEnvoyWebSocketMessage:
    return ToEnvoyWebSocketMessage(_d_data(r), _d_bool(r))


@dataclass(slots=True)
class ToEnvoyWebSocketClose:
    code: int | None
    reason: str | None


def _e_ToEnvoyWebSocketClose(w: Writer, v: ToEnvoyWebSocketClose) -> None:
    _e_optional_u16(w, v.code)
    _e_optional_str(w, v.reason)


def _d_ToEnvoyWebSocketClose(r: Reader) -> ToEnvoyWebSocketClose:
    return ToEnvoyWebSocketClose(_d_optional_u16(r), _d_optional_str(r))


@dataclass(slots=True)
class ToRivetWebSocketOpen:
    can_hibernate: bool


def _e_ToRivetWebSocketOpen(w: Writer, v: ToRivetWebSocketOpen) -> None:
    _e_bool(w, v.can_hibernate)


def _d_ToRivetWebSocketOpen(r: Reader) -> ToRivetWebSocketOpen:
    return ToRivetWebSocketOpen(_d_bool(r))


@dataclass(slots=True)
class ToRivetWebSocketMessage:
    data: bytes
    binary: bool


def _e_ToRivetWebSocketMessage(w: Writer, v: ToRivetWebSocketMessage) -> None:
    _e_data(w, v.data)
    _e_bool(w, v.binary)


def _d_ToRivetWebSocketMessage(r: Reader) -> ToRivetWebSocketMessage:
    return ToRivetWebSocketMessage(_d_data(r), _d_bool(r))


@dataclass(slots=True)
class ToRivetWebSocketMessageAck:
    index: int


def _e_ToRivetWebSocketMessageAck(w: Writer, v: ToRivetWebSocketMessageAck) -> None:
    _e_u16(w, v.index)


def _d_ToRivetWebSocketMessageAck(r: Reader) -> ToRivetWebSocketMessageAck:
    return ToRivetWebSocketMessageAck(_d_u16(r))


@dataclass(slots=True)
class ToRivetWebSocketClose:
    code: int | None
    reason: str | None
    hibernate: bool


def _e_ToRivetWebSocketClose(w: Writer, v: ToRivetWebSocketClose) -> None:
    _e_optional_u16(w, v.code)
    _e_optional_str(w, v.reason)
    _e_bool(w, v.hibernate)


def _d_ToRivetWebSocketClose(r: Reader) -> ToRivetWebSocketClose:
    return ToRivetWebSocketClose(_d_optional_u16(r), _d_optional_str(r), _d_bool(r))


@dataclass(slots=True)
class ToRivetTunnelMessage:
    message_id: MessageId
    message_kind: ToRivetTunnelMessageKind


def _e_ToRivetTunnelMessage(w: Writer, v: ToRivetTunnelMessage) -> None:
    _e_MessageId(w, v.message_id)
    _e_ToRivetTunnelMessageKind(w, v.message_kind)


def _d_ToRivetTunnelMessage(r: Reader) -> ToRivetTunnelMessage:
    return ToRivetTunnelMessage(_d_MessageId(r), _d_ToRivetTunnelMessageKind(r))


@dataclass(slots=True)
class ToEnvoyTunnelMessage:
    message_id: MessageId
    message_kind: ToEnvoyTunnelMessageKind


def _e_ToEnvoyTunnelMessage(w: Writer, v: ToEnvoyTunnelMessage) -> None:
    _e_MessageId(w, v.message_id)
    _e_ToEnvoyTunnelMessageKind(w, v.message_kind)


def _d_ToEnvoyTunnelMessage(r: Reader) -> ToEnvoyTunnelMessage:
    return ToEnvoyTunnelMessage(_d_MessageId(r), _d_ToEnvoyTunnelMessageKind(r))


@dataclass(slots=True)
class ToEnvoyPing:
    ts: int


def _e_ToEnvoyPing(w: Writer, v: ToEnvoyPing) -> None:
    _e_i64(w, v.ts)


def _d_ToEnvoyPing(r: Reader) -> ToEnvoyPing:
    return ToEnvoyPing(_d_i64(r))


@dataclass(slots=True)
class ToRivetMetadata:
    prepopulate_actor_names: dict[str, ActorName] | None
    metadata: str | None


def _e_ToRivetMetadata(w: Writer, v: ToRivetMetadata) -> None:
    _e_optional_map_str_ActorName(w, v.prepopulate_actor_names)
    _e_optional_Json(w, v.metadata)


def _d_ToRivetMetadata(r: Reader) -> ToRivetMetadata:
    return ToRivetMetadata(_d_optional_map_str_ActorName(r), _d_optional_Json(r))


@dataclass(slots=True)
class ToRivetEvents:
    value: list[EventWrapper]


def _e_ToRivetEvents(w: Writer, v: ToRivetEvents) -> None:
    _e_list_EventWrapper(w, v.value)


def _d_ToRivetEvents(r: Reader) -> ToRivetEvents:
    return ToRivetEvents(_d_list_EventWrapper(r))


@dataclass(slots=True)
class ToRivetAckCommands:
    last_command_checkpoints: list[ActorCheckpoint]


def _e_ToRivetAckCommands(w: Writer, v: ToRivetAckCommands) -> None:
    _e_list_ActorCheckpoint(w, v.last_command_checkpoints)


def _d_ToRivetAckCommands(r: Reader) -> ToRivetAckCommands:
    return ToRivetAckCommands(_d_list_ActorCheckpoint(r))


@dataclass(slots=True)
class ToRivetPong:
    ts: int


def _e_ToRivetPong(w: Writer, v: ToRivetPong) -> None:
    _e_i64(w, v.ts)


def _d_ToRivetPong(r: Reader) -> ToRivetPong:
    return ToRivetPong(_d_i64(r))


@dataclass(slots=True)
class ToRivetKvRequest:
    actor_id: str
    request_id: int
    data: KvRequestData


def _e_ToRivetKvRequest(w: Writer, v: ToRivetKvRequest) -> None:
    _e_str(w, v.actor_id)
    _e_u32(w, v.request_id)
    _e_KvRequestData(w, v.data)


def _d_ToRivetKvRequest(r: Reader) -> ToRivetKvRequest:
    return ToRivetKvRequest(_d_str(r), _d_u32(r), _d_KvRequestData(r))


@dataclass(slots=True)
class ToRivetSqliteGetPagesRequest:
    request_id: int
    data: SqliteGetPagesRequest


def _e_ToRivetSqliteGetPagesRequest(w: Writer, v: ToRivetSqliteGetPagesRequest) -> None:
    _e_u32(w, v.request_id)
    _e_SqliteGetPagesRequest(w, v.data)


def _d_ToRivetSqliteGetPagesRequest(r: Reader) -> ToRivetSqliteGetPagesRequest:
    return ToRivetSqliteGetPagesRequest(_d_u32(r), _d_SqliteGetPagesRequest(r))


@dataclass(slots=True)
class ToRivetSqliteCommitRequest:
    request_id: int
    data: SqliteCommitRequest


def _e_ToRivetSqliteCommitRequest(w: Writer, v: ToRivetSqliteCommitRequest) -> None:
    _e_u32(w, v.request_id)
    _e_SqliteCommitRequest(w, v.data)


def _d_ToRivetSqliteCommitRequest(r: Reader) -> ToRivetSqliteCommitRequest:
    return ToRivetSqliteCommitRequest(_d_u32(r), _d_SqliteCommitRequest(r))


@dataclass(slots=True)
class ToRivetSqliteCommitStageBeginRequest:
    request_id: int
    data: SqliteCommitStageBeginRequest


def _e_ToRivetSqliteCommitStageBeginRequest(w: Writer, v: ToRivetSqliteCommitStageBeginRequest) -> None:
    _e_u32(w, v.request_id)
    _e_SqliteCommitStageBeginRequest(w, v.data)


def _d_ToRivetSqliteCommitStageBeginRequest(r: Reader) -> ToRivetSqliteCommitStageBeginRequest:
    return ToRivetSqliteCommitStageBeginRequest(_d_u32(r), _d_SqliteCommitStageBeginRequest(r))


@dataclass(slots=True)
class ToRivetSqliteCommitStageSegmentRequest:
    request_id: int
    data: SqliteCommitStageSegmentRequest


def _e_ToRivetSqliteCommitStageSegmentRequest(w: Writer, v: ToRivetSqliteCommitStageSegmentRequest) -> None:
    _e_u32(w, v.request_id)
    _e_SqliteCommitStageSegmentRequest(w, v.data)


def _d_ToRivetSqliteCommitStageSegmentRequest(r: Reader) -> ToRivetSqliteCommitStageSegmentRequest:
    return ToRivetSqliteCommitStageSegmentRequest(_d_u32(r), _d_SqliteCommitStageSegmentRequest(r))


@dataclass(slots=True)
class ToRivetSqliteCommitFinalizeRequest:
    request_id: int
    data: SqliteCommitFinalizeRequest


def _e_ToRivetSqliteCommitFinalizeRequest(w: Writer, v: ToRivetSqliteCommitFinalizeRequest) -> None:
    _e_u32(w, v.request_id)
    _e_SqliteCommitFinalizeRequest(w, v.data)


def _d_ToRivetSqliteCommitFinalizeRequest(r: Reader) -> ToRivetSqliteCommitFinalizeRequest:
    return ToRivetSqliteCommitFinalizeRequest(_d_u32(r), _d_SqliteCommitFinalizeRequest(r))


@dataclass(slots=True)
class ToRivetSqliteExecRequest:
    request_id: int
    data: SqliteExecRequest


def _e_ToRivetSqliteExecRequest(w: Writer, v: ToRivetSqliteExecRequest) -> None:
    _e_u32(w, v.request_id)
    _e_SqliteExecRequest(w, v.data)


def _d_ToRivetSqliteExecRequest(r: Reader) -> ToRivetSqliteExecRequest:
    return ToRivetSqliteExecRequest(_d_u32(r), _d_SqliteExecRequest(r))


@dataclass(slots=True)
class ToRivetSqliteExecuteRequest:
    request_id: int
    data: SqliteExecuteRequest


def _e_ToRivetSqliteExecuteRequest(w: Writer, v: ToRivetSqliteExecuteRequest) -> None:
    _e_u32(w, v.request_id)
    _e_SqliteExecuteRequest(w, v.data)


def _d_ToRivetSqliteExecuteRequest(r: Reader) -> ToRivetSqliteExecuteRequest:
    return ToRivetSqliteExecuteRequest(_d_u32(r), _d_SqliteExecuteRequest(r))


@dataclass(slots=True)
class ToRivetSqliteExecuteBatchRequest:
    request_id: int
    data: SqliteExecuteBatchRequest


def _e_ToRivetSqliteExecuteBatchRequest(w: Writer, v: ToRivetSqliteExecuteBatchRequest) -> None:
    _e_u32(w, v.request_id)
    _e_SqliteExecuteBatchRequest(w, v.data)


def _d_ToRivetSqliteExecuteBatchRequest(r: Reader) -> ToRivetSqliteExecuteBatchRequest:
    return ToRivetSqliteExecuteBatchRequest(_d_u32(r), _d_SqliteExecuteBatchRequest(r))


@dataclass(slots=True)
class ProtocolMetadata:
    envoy_lost_threshold: int
    actor_stop_threshold: int
    max_response_payload_size: int


def _e_ProtocolMetadata(w: Writer, v: ProtocolMetadata) -> None:
    _e_i64(w, v.envoy_lost_threshold)
    _e_i64(w, v.actor_stop_threshold)
    _e_u64(w, v.max_response_payload_size)


def _d_ProtocolMetadata(r: Reader) -> ProtocolMetadata:
    return ProtocolMetadata(_d_i64(r), _d_i64(r), _d_u64(r))


@dataclass(slots=True)
class ToEnvoyInit:
    metadata: ProtocolMetadata


def _e_ToEnvoyInit(w: Writer, v: ToEnvoyInit) -> None:
    _e_ProtocolMetadata(w, v.metadata)


def _d_ToEnvoyInit(r: Reader) -> ToEnvoyInit:
    return ToEnvoyInit(_d_ProtocolMetadata(r))


@dataclass(slots=True)
class ToEnvoyCommands:
    value: list[CommandWrapper]


def _e_ToEnvoyCommands(w: Writer, v: ToEnvoyCommands) -> None:
    _e_list_CommandWrapper(w, v.value)


def _d_ToEnvoyCommands(r: Reader) -> ToEnvoyCommands:
    return ToEnvoyCommands(_d_list_CommandWrapper(r))


@dataclass(slots=True)
class ToEnvoyAckEvents:
    last_event_checkpoints: list[ActorCheckpoint]


def _e_ToEnvoyAckEvents(w: Writer, v: ToEnvoyAckEvents) -> None:
    _e_list_ActorCheckpoint(w, v.last_event_checkpoints)


def _d_ToEnvoyAckEvents(r: Reader) -> ToEnvoyAckEvents:
    return ToEnvoyAckEvents(_d_list_ActorCheckpoint(r))


@dataclass(slots=True)
class ToEnvoyKvResponse:
    request_id: int
    data: KvResponseData


def _e_ToEnvoyKvResponse(w: Writer, v: ToEnvoyKvResponse) -> None:
    _e_u32(w, v.request_id)
    _e_KvResponseData(w, v.data)


def _d_ToEnvoyKvResponse(r: Reader) -> ToEnvoyKvResponse:
    return ToEnvoyKvResponse(_d_u32(r), _d_KvResponseData(r))


@dataclass(slots=True)
class ToEnvoySqliteGetPagesResponse:
    request_id: int
    data: SqliteGetPagesResponse


def _e_ToEnvoySqliteGetPagesResponse(w: Writer, v: ToEnvoySqliteGetPagesResponse) -> None:
    _e_u32(w, v.request_id)
    _e_SqliteGetPagesResponse(w, v.data)


def _d_ToEnvoySqliteGetPagesResponse(r: Reader) -> ToEnvoySqliteGetPagesResponse:
    return ToEnvoySqliteGetPagesResponse(_d_u32(r), _d_SqliteGetPagesResponse(r))


@dataclass(slots=True)
class ToEnvoySqliteCommitResponse:
    request_id: int
    data: SqliteCommitResponse


def _e_ToEnvoySqliteCommitResponse(w: Writer, v: ToEnvoySqliteCommitResponse) -> None:
    _e_u32(w, v.request_id)
    _e_SqliteCommitResponse(w, v.data)


def _d_ToEnvoySqliteCommitResponse(r: Reader) -> ToEnvoySqliteCommitResponse:
    return ToEnvoySqliteCommitResponse(_d_u32(r), _d_SqliteCommitResponse(r))


@dataclass(slots=True)
class ToEnvoySqliteCommitStageBeginResponse:
    request_id: int
    data: SqliteCommitStageBeginResponse


def _e_ToEnvoySqliteCommitStageBeginResponse(w: Writer, v: ToEnvoySqliteCommitStageBeginResponse) -> None:
    _e_u32(w, v.request_id)
    _e_SqliteCommitStageBeginResponse(w, v.data)


def _d_ToEnvoySqliteCommitStageBeginResponse(r: Reader) -> ToEnvoySqliteCommitStageBeginResponse:
    return ToEnvoySqliteCommitStageBeginResponse(_d_u32(r), _d_SqliteCommitStageBeginResponse(r))


@dataclass(slots=True)
class ToEnvoySqliteCommitStageSegmentResponse:
    request_id: int
    data: SqliteCommitStageSegmentResponse


def _e_ToEnvoySqliteCommitStageSegmentResponse(w: Writer, v: ToEnvoySqliteCommitStageSegmentResponse) -> None:
    _e_u32(w, v.request_id)
    _e_SqliteCommitStageSegmentResponse(w, v.data)


def _d_ToEnvoySqliteCommitStageSegmentResponse(r: Reader) -> ToEnvoySqliteCommitStageSegmentResponse:
    return ToEnvoySqliteCommitStageSegmentResponse(_d_u32(r), _d_SqliteCommitStageSegmentResponse(r))


@dataclass(slots=True)
class ToEnvoySqliteCommitFinalizeResponse:
    request_id: int
    data: SqliteCommitFinalizeResponse


def _e_ToEnvoySqliteCommitFinalizeResponse(w: Writer, v: ToEnvoySqliteCommitFinalizeResponse) -> None:
    _e_u32(w, v.request_id)
    _e_SqliteCommitFinalizeResponse(w, v.data)


def _d_ToEnvoySqliteCommitFinalizeResponse(r: Reader) -> ToEnvoySqliteCommitFinalizeResponse:
    return ToEnvoySqliteCommitFinalizeResponse(_d_u32(r), _d_SqliteCommitFinalizeResponse(r))


@dataclass(slots=True)
class ToEnvoySqliteExecResponse:
    request_id: int
    data: SqliteExecResponse


def _e_ToEnvoySqliteExecResponse(w: Writer, v: ToEnvoySqliteExecResponse) -> None:
    _e_u32(w, v.request_id)
    _e_SqliteExecResponse(w, v.data)


def _d_ToEnvoySqliteExecResponse(r: Reader) -> ToEnvoySqliteExecResponse:
    return ToEnvoySqliteExecResponse(_d_u32(r), _d_SqliteExecResponse(r))


@dataclass(slots=True)
class ToEnvoySqliteExecuteResponse:
    request_id: int
    data: SqliteExecuteResponse


def _e_ToEnvoySqliteExecuteResponse(w: Writer, v: ToEnvoySqliteExecuteResponse) -> None:
    _e_u32(w, v.request_id)
    _e_SqliteExecuteResponse(w, v.data)


def _d_ToEnvoySqliteExecuteResponse(r: Reader) -> ToEnvoySqliteExecuteResponse:
    return ToEnvoySqliteExecuteResponse(_d_u32(r), _d_SqliteExecuteResponse(r))


@dataclass(slots=True)
class ToEnvoySqliteExecuteBatchResponse:
    request_id: int
    data: SqliteExecuteBatchResponse


def _e_ToEnvoySqliteExecuteBatchResponse(w: Writer, v: ToEnvoySqliteExecuteBatchResponse) -> None:
    _e_u32(w, v.request_id)
    _e_SqliteExecuteBatchResponse(w, v.data)


def _d_ToEnvoySqliteExecuteBatchResponse(r: Reader) -> ToEnvoySqliteExecuteBatchResponse:
    return ToEnvoySqliteExecuteBatchResponse(_d_u32(r), _d_SqliteExecuteBatchResponse(r))


@dataclass(slots=True)
class ToEnvoyConnPing:
    gateway_id: bytes
    request_id: bytes
    ts: int


def _e_ToEnvoyConnPing(w: Writer, v: ToEnvoyConnPing) -> None:
    _e_data_4(w, v.gateway_id)
    _e_data_4(w, v.request_id)
    _e_i64(w, v.ts)


def _d_ToEnvoyConnPing(r: Reader) -> ToEnvoyConnPing:
    return ToEnvoyConnPing(_d_data_4(r), _d_data_4(r), _d_i64(r))


@dataclass(slots=True)
class ToGatewayPong:
    request_id: bytes
    ts: int


def _e_ToGatewayPong(w: Writer, v: ToGatewayPong) -> None:
    _e_data_4(w, v.request_id)
    _e_i64(w, v.ts)


def _d_ToGatewayPong(r: Reader) -> ToGatewayPong:
    return ToGatewayPong(_d_data_4(r), _d_i64(r))


@dataclass(slots=True)
class ToOutboundActorStart:
    namespace_id: str
    pool_name: str
    checkpoint: ActorCheckpoint
    actor_config: ActorConfig


def _e_ToOutboundActorStart(w: Writer, v: ToOutboundActorStart) -> None:
    _e_str(w, v.namespace_id)
    _e_str(w, v.pool_name)
    _e_ActorCheckpoint(w, v.checkpoint)
    _e_ActorConfig(w, v.actor_config)


def _d_ToOutboundActorStart(r: Reader) -> ToOutboundActorStart:
    return ToOutboundActorStart(_d_str(r), _d_str(r), _d_ActorCheckpoint(r), _d_ActorConfig(r))


KvListQuery: TypeAlias = KvListAllQuery | KvListRangeQuery | KvListPrefixQuery


def _e_KvListQuery(w: Writer, v: KvListQuery) -> None:
    if type(v) is KvListAllQuery:
        w.uint(0)
        _e_KvListAllQuery(w, v)
    elif type(v) is KvListRangeQuery:
        w.uint(1)
        _e_KvListRangeQuery(w, v)
    elif type(v) is KvListPrefixQuery:
        w.uint(2)
        _e_KvListPrefixQuery(w, v)
    else:
        raise BareError(f"not a KvListQuery: {type(v).__name__}")


def _d_KvListQuery(r: Reader) -> KvListQuery:
    tag = r.uint()
    if tag == 0:
        return _d_KvListAllQuery(r)
    if tag == 1:
        return _d_KvListRangeQuery(r)
    if tag == 2:
        return _d_KvListPrefixQuery(r)
    raise BareError(f"unknown KvListQuery tag {tag}")


KvRequestData: TypeAlias = KvGetRequest | KvListRequest | KvPutRequest | KvDeleteRequest | KvDeleteRangeRequest | KvDropRequest


def _e_KvRequestData(w: Writer, v: KvRequestData) -> None:
    if type(v) is KvGetRequest:
        w.uint(0)
        _e_KvGetRequest(w, v)
    elif type(v) is KvListRequest:
        w.uint(1)
        _e_KvListRequest(w, v)
    elif type(v) is KvPutRequest:
        w.uint(2)
        _e_KvPutRequest(w, v)
    elif type(v) is KvDeleteRequest:
        w.uint(3)
        _e_KvDeleteRequest(w, v)
    elif type(v) is KvDeleteRangeRequest:
        w.uint(4)
        _e_KvDeleteRangeRequest(w, v)
    elif type(v) is KvDropRequest:
        w.uint(5)
        _e_KvDropRequest(w, v)
    else:
        raise BareError(f"not a KvRequestData: {type(v).__name__}")


def _d_KvRequestData(r: Reader) -> KvRequestData:
    tag = r.uint()
    if tag == 0:
        return _d_KvGetRequest(r)
    if tag == 1:
        return _d_KvListRequest(r)
    if tag == 2:
        return _d_KvPutRequest(r)
    if tag == 3:
        return _d_KvDeleteRequest(r)
    if tag == 4:
        return _d_KvDeleteRangeRequest(r)
    if tag == 5:
        return _d_KvDropRequest(r)
    raise BareError(f"unknown KvRequestData tag {tag}")


KvResponseData: TypeAlias = KvErrorResponse | KvGetResponse | KvListResponse | KvPutResponse | KvDeleteResponse | KvDropResponse


def _e_KvResponseData(w: Writer, v: KvResponseData) -> None:
    if type(v) is KvErrorResponse:
        w.uint(0)
        _e_KvErrorResponse(w, v)
    elif type(v) is KvGetResponse:
        w.uint(1)
        _e_KvGetResponse(w, v)
    elif type(v) is KvListResponse:
        w.uint(2)
        _e_KvListResponse(w, v)
    elif type(v) is KvPutResponse:
        w.uint(3)
        _e_KvPutResponse(w, v)
    elif type(v) is KvDeleteResponse:
        w.uint(4)
        _e_KvDeleteResponse(w, v)
    elif type(v) is KvDropResponse:
        w.uint(5)
        _e_KvDropResponse(w, v)
    else:
        raise BareError(f"not a KvResponseData: {type(v).__name__}")


def _d_KvResponseData(r: Reader) -> KvResponseData:
    tag = r.uint()
    if tag == 0:
        return _d_KvErrorResponse(r)
    if tag == 1:
        return _d_KvGetResponse(r)
    if tag == 2:
        return _d_KvListResponse(r)
    if tag == 3:
        return _d_KvPutResponse(r)
    if tag == 4:
        return _d_KvDeleteResponse(r)
    if tag == 5:
        return _d_KvDropResponse(r)
    raise BareError(f"unknown KvResponseData tag {tag}")


SqliteGetPagesResponse: TypeAlias = SqliteGetPagesOk | SqliteErrorResponse


def _e_SqliteGetPagesResponse(w: Writer, v: SqliteGetPagesResponse) -> None:
    if type(v) is SqliteGetPagesOk:
        w.uint(0)
        _e_SqliteGetPagesOk(w, v)
    elif type(v) is SqliteErrorResponse:
        w.uint(1)
        _e_SqliteErrorResponse(w, v)
    else:
        raise BareError(f"not a SqliteGetPagesResponse: {type(v).__name__}")


def _d_SqliteGetPagesResponse(r: Reader) -> SqliteGetPagesResponse:
    tag = r.uint()
    if tag == 0:
        return _d_SqliteGetPagesOk(r)
    if tag == 1:
        return _d_SqliteErrorResponse(r)
    raise BareError(f"unknown SqliteGetPagesResponse tag {tag}")


SqliteCommitResponse: TypeAlias = SqliteCommitOk | SqliteErrorResponse


def _e_SqliteCommitResponse(w: Writer, v: SqliteCommitResponse) -> None:
    if type(v) is SqliteCommitOk:
        w.uint(0)
        _e_SqliteCommitOk(w, v)
    elif type(v) is SqliteErrorResponse:
        w.uint(1)
        _e_SqliteErrorResponse(w, v)
    else:
        raise BareError(f"not a SqliteCommitResponse: {type(v).__name__}")


def _d_SqliteCommitResponse(r: Reader) -> SqliteCommitResponse:
    tag = r.uint()
    if tag == 0:
        return _d_SqliteCommitOk(r)
    if tag == 1:
        return _d_SqliteErrorResponse(r)
    raise BareError(f"unknown SqliteCommitResponse tag {tag}")


SqliteCommitStageBeginResponse: TypeAlias = SqliteCommitStageBeginOk | SqliteErrorResponse


def _e_SqliteCommitStageBeginResponse(w: Writer, v: SqliteCommitStageBeginResponse) -> None:
    if type(v) is SqliteCommitStageBeginOk:
        w.uint(0)
        _e_SqliteCommitStageBeginOk(w, v)
    elif type(v) is SqliteErrorResponse:
        w.uint(1)
        _e_SqliteErrorResponse(w, v)
    else:
        raise BareError(f"not a SqliteCommitStageBeginResponse: {type(v).__name__}")


def _d_SqliteCommitStageBeginResponse(r: Reader) -> SqliteCommitStageBeginResponse:
    tag = r.uint()
    if tag == 0:
        return _d_SqliteCommitStageBeginOk(r)
    if tag == 1:
        return _d_SqliteErrorResponse(r)
    raise BareError(f"unknown SqliteCommitStageBeginResponse tag {tag}")


SqliteCommitStageSegmentResponse: TypeAlias = SqliteCommitStageSegmentOk | SqliteErrorResponse


def _e_SqliteCommitStageSegmentResponse(w: Writer, v: SqliteCommitStageSegmentResponse) -> None:
    if type(v) is SqliteCommitStageSegmentOk:
        w.uint(0)
        _e_SqliteCommitStageSegmentOk(w, v)
    elif type(v) is SqliteErrorResponse:
        w.uint(1)
        _e_SqliteErrorResponse(w, v)
    else:
        raise BareError(f"not a SqliteCommitStageSegmentResponse: {type(v).__name__}")


def _d_SqliteCommitStageSegmentResponse(r: Reader) -> SqliteCommitStageSegmentResponse:
    tag = r.uint()
    if tag == 0:
        return _d_SqliteCommitStageSegmentOk(r)
    if tag == 1:
        return _d_SqliteErrorResponse(r)
    raise BareError(f"unknown SqliteCommitStageSegmentResponse tag {tag}")


SqliteCommitFinalizeResponse: TypeAlias = SqliteCommitFinalizeOk | SqliteErrorResponse


def _e_SqliteCommitFinalizeResponse(w: Writer, v: SqliteCommitFinalizeResponse) -> None:
    if type(v) is SqliteCommitFinalizeOk:
        w.uint(0)
        _e_SqliteCommitFinalizeOk(w, v)
    elif type(v) is SqliteErrorResponse:
        w.uint(1)
        _e_SqliteErrorResponse(w, v)
    else:
        raise BareError(f"not a SqliteCommitFinalizeResponse: {type(v).__name__}")


def _d_SqliteCommitFinalizeResponse(r: Reader) -> SqliteCommitFinalizeResponse:
    tag = r.uint()
    if tag == 0:
        return _d_SqliteCommitFinalizeOk(r)
    if tag == 1:
        return _d_SqliteErrorResponse(r)
    raise BareError(f"unknown SqliteCommitFinalizeResponse tag {tag}")


SqliteBindParam: TypeAlias = SqliteValueNull | SqliteValueInteger | SqliteValueFloat | SqliteValueText | SqliteValueBlob


def _e_SqliteBindParam(w: Writer, v: SqliteBindParam) -> None:
    if type(v) is SqliteValueNull:
        w.uint(0)
        _e_SqliteValueNull(w, v)
    elif type(v) is SqliteValueInteger:
        w.uint(1)
        _e_SqliteValueInteger(w, v)
    elif type(v) is SqliteValueFloat:
        w.uint(2)
        _e_SqliteValueFloat(w, v)
    elif type(v) is SqliteValueText:
        w.uint(3)
        _e_SqliteValueText(w, v)
    elif type(v) is SqliteValueBlob:
        w.uint(4)
        _e_SqliteValueBlob(w, v)
    else:
        raise BareError(f"not a SqliteBindParam: {type(v).__name__}")


def _d_SqliteBindParam(r: Reader) -> SqliteBindParam:
    tag = r.uint()
    if tag == 0:
        return _d_SqliteValueNull(r)
    if tag == 1:
        return _d_SqliteValueInteger(r)
    if tag == 2:
        return _d_SqliteValueFloat(r)
    if tag == 3:
        return _d_SqliteValueText(r)
    if tag == 4:
        return _d_SqliteValueBlob(r)
    raise BareError(f"unknown SqliteBindParam tag {tag}")


SqliteColumnValue: TypeAlias = SqliteValueNull | SqliteValueInteger | SqliteValueFloat | SqliteValueText | SqliteValueBlob


def _e_SqliteColumnValue(w: Writer, v: SqliteColumnValue) -> None:
    if type(v) is SqliteValueNull:
        w.uint(0)
        _e_SqliteValueNull(w, v)
    elif type(v) is SqliteValueInteger:
        w.uint(1)
        _e_SqliteValueInteger(w, v)
    elif type(v) is SqliteValueFloat:
        w.uint(2)
        _e_SqliteValueFloat(w, v)
    elif type(v) is SqliteValueText:
        w.uint(3)
        _e_SqliteValueText(w, v)
    elif type(v) is SqliteValueBlob:
        w.uint(4)
        _e_SqliteValueBlob(w, v)
    else:
        raise BareError(f"not a SqliteColumnValue: {type(v).__name__}")


def _d_SqliteColumnValue(r: Reader) -> SqliteColumnValue:
    tag = r.uint()
    if tag == 0:
        return _d_SqliteValueNull(r)
    if tag == 1:
        return _d_SqliteValueInteger(r)
    if tag == 2:
        return _d_SqliteValueFloat(r)
    if tag == 3:
        return _d_SqliteValueText(r)
    if tag == 4:
        return _d_SqliteValueBlob(r)
    raise BareError(f"unknown SqliteColumnValue tag {tag}")


SqliteExecResponse: TypeAlias = SqliteExecOk | SqliteErrorResponse


def _e_SqliteExecResponse(w: Writer, v: SqliteExecResponse) -> None:
    if type(v) is SqliteExecOk:
        w.uint(0)
        _e_SqliteExecOk(w, v)
    elif type(v) is SqliteErrorResponse:
        w.uint(1)
        _e_SqliteErrorResponse(w, v)
    else:
        raise BareError(f"not a SqliteExecResponse: {type(v).__name__}")


def _d_SqliteExecResponse(r: Reader) -> SqliteExecResponse:
    tag = r.uint()
    if tag == 0:
        return _d_SqliteExecOk(r)
    if tag == 1:
        return _d_SqliteErrorResponse(r)
    raise BareError(f"unknown SqliteExecResponse tag {tag}")


SqliteExecuteResponse: TypeAlias = SqliteExecuteOk | SqliteErrorResponse


def _e_SqliteExecuteResponse(w: Writer, v: SqliteExecuteResponse) -> None:
    if type(v) is SqliteExecuteOk:
        w.uint(0)
        _e_SqliteExecuteOk(w, v)
    elif type(v) is SqliteErrorResponse:
        w.uint(1)
        _e_SqliteErrorResponse(w, v)
    else:
        raise BareError(f"not a SqliteExecuteResponse: {type(v).__name__}")


def _d_SqliteExecuteResponse(r: Reader) -> SqliteExecuteResponse:
    tag = r.uint()
    if tag == 0:
        return _d_SqliteExecuteOk(r)
    if tag == 1:
        return _d_SqliteErrorResponse(r)
    raise BareError(f"unknown SqliteExecuteResponse tag {tag}")


SqliteExecuteBatchResponse: TypeAlias = SqliteExecuteBatchOk | SqliteErrorResponse


def _e_SqliteExecuteBatchResponse(w: Writer, v: SqliteExecuteBatchResponse) -> None:
    if type(v) is SqliteExecuteBatchOk:
        w.uint(0)
        _e_SqliteExecuteBatchOk(w, v)
    elif type(v) is SqliteErrorResponse:
        w.uint(1)
        _e_SqliteErrorResponse(w, v)
    else:
        raise BareError(f"not a SqliteExecuteBatchResponse: {type(v).__name__}")


def _d_SqliteExecuteBatchResponse(r: Reader) -> SqliteExecuteBatchResponse:
    tag = r.uint()
    if tag == 0:
        return _d_SqliteExecuteBatchOk(r)
    if tag == 1:
        return _d_SqliteErrorResponse(r)
    raise BareError(f"unknown SqliteExecuteBatchResponse tag {tag}")


ActorIntent: TypeAlias = ActorIntentSleep | ActorIntentStop


def _e_ActorIntent(w: Writer, v: ActorIntent) -> None:
    if type(v) is ActorIntentSleep:
        w.uint(0)
        _e_ActorIntentSleep(w, v)
    elif type(v) is ActorIntentStop:
        w.uint(1)
        _e_ActorIntentStop(w, v)
    else:
        raise BareError(f"not a ActorIntent: {type(v).__name__}")


def _d_ActorIntent(r: Reader) -> ActorIntent:
    tag = r.uint()
    if tag == 0:
        return _d_ActorIntentSleep(r)
    if tag == 1:
        return _d_ActorIntentStop(r)
    raise BareError(f"unknown ActorIntent tag {tag}")


ActorState: TypeAlias = ActorStateRunning | ActorStateStopped


def _e_ActorState(w: Writer, v: ActorState) -> None:
    if type(v) is ActorStateRunning:
        w.uint(0)
        _e_ActorStateRunning(w, v)
    elif type(v) is ActorStateStopped:
        w.uint(1)
        _e_ActorStateStopped(w, v)
    else:
        raise BareError(f"not a ActorState: {type(v).__name__}")


def _d_ActorState(r: Reader) -> ActorState:
    tag = r.uint()
    if tag == 0:
        return _d_ActorStateRunning(r)
    if tag == 1:
        return _d_ActorStateStopped(r)
    raise BareError(f"unknown ActorState tag {tag}")


Event: TypeAlias = EventActorIntent | EventActorStateUpdate | EventActorSetAlarm


def _e_Event(w: Writer, v: Event) -> None:
    if type(v) is EventActorIntent:
        w.uint(0)
        _e_EventActorIntent(w, v)
    elif type(v) is EventActorStateUpdate:
        w.uint(1)
        _e_EventActorStateUpdate(w, v)
    elif type(v) is EventActorSetAlarm:
        w.uint(2)
        _e_EventActorSetAlarm(w, v)
    else:
        raise BareError(f"not a Event: {type(v).__name__}")


def _d_Event(r: Reader) -> Event:
    tag = r.uint()
    if tag == 0:
        return _d_EventActorIntent(r)
    if tag == 1:
        return _d_EventActorStateUpdate(r)
    if tag == 2:
        return _d_EventActorSetAlarm(r)
    raise BareError(f"unknown Event tag {tag}")


Command: TypeAlias = CommandStartActor | CommandStopActor


def _e_Command(w: Writer, v: Command) -> None:
    if type(v) is CommandStartActor:
        w.uint(0)
        _e_CommandStartActor(w, v)
    elif type(v) is CommandStopActor:
        w.uint(1)
        _e_CommandStopActor(w, v)
    else:
        raise BareError(f"not a Command: {type(v).__name__}")


def _d_Command(r: Reader) -> Command:
    tag = r.uint()
    if tag == 0:
        return _d_CommandStartActor(r)
    if tag == 1:
        return _d_CommandStopActor(r)
    raise BareError(f"unknown Command tag {tag}")


ActorCommandKeyData: TypeAlias = CommandStartActor | CommandStopActor


def _e_ActorCommandKeyData(w: Writer, v: ActorCommandKeyData) -> None:
    if type(v) is CommandStartActor:
        w.uint(0)
        _e_CommandStartActor(w, v)
    elif type(v) is CommandStopActor:
        w.uint(1)
        _e_CommandStopActor(w, v)
    else:
        raise BareError(f"not a ActorCommandKeyData: {type(v).__name__}")


def _d_ActorCommandKeyData(r: Reader) -> ActorCommandKeyData:
    tag = r.uint()
    if tag == 0:
        return _d_CommandStartActor(r)
    if tag == 1:
        return _d_CommandStopActor(r)
    raise BareError(f"unknown ActorCommandKeyData tag {tag}")


ToRivetTunnelMessageKind: TypeAlias = ToRivetResponseStart | ToRivetResponseChunk | ToRivetResponseAbort | ToRivetRequestBodyWindowUpdate | ToRivetRequestBodyCancel | ToRivetWebSocketOpen | ToRivetWebSocketMessage | ToRivetWebSocketMessageAck | ToRivetWebSocketClose


def _e_ToRivetTunnelMessageKind(w: Writer, v: ToRivetTunnelMessageKind) -> None:
    if type(v) is ToRivetResponseStart:
        w.uint(0)
        _e_ToRivetResponseStart(w, v)
    elif type(v) is ToRivetResponseChunk:
        w.uint(1)
        _e_ToRivetResponseChunk(w, v)
    elif type(v) is ToRivetResponseAbort:
        w.uint(2)
        _e_ToRivetResponseAbort(w, v)
    elif type(v) is ToRivetRequestBodyWindowUpdate:
        w.uint(3)
        _e_ToRivetRequestBodyWindowUpdate(w, v)
    elif type(v) is ToRivetRequestBodyCancel:
        w.uint(4)
        _e_ToRivetRequestBodyCancel(w, v)
    elif type(v) is ToRivetWebSocketOpen:
        w.uint(5)
        _e_ToRivetWebSocketOpen(w, v)
    elif type(v) is ToRivetWebSocketMessage:
        w.uint(6)
        _e_ToRivetWebSocketMessage(w, v)
    elif type(v) is ToRivetWebSocketMessageAck:
        w.uint(7)
        _e_ToRivetWebSocketMessageAck(w, v)
    elif type(v) is ToRivetWebSocketClose:
        w.uint(8)
        _e_ToRivetWebSocketClose(w, v)
    else:
        raise BareError(f"not a ToRivetTunnelMessageKind: {type(v).__name__}")


def _d_ToRivetTunnelMessageKind(r: Reader) -> ToRivetTunnelMessageKind:
    tag = r.uint()
    if tag == 0:
        return _d_ToRivetResponseStart(r)
    if tag == 1:
        return _d_ToRivetResponseChunk(r)
    if tag == 2:
        return _d_ToRivetResponseAbort(r)
    if tag == 3:
        return _d_ToRivetRequestBodyWindowUpdate(r)
    if tag == 4:
        return _d_ToRivetRequestBodyCancel(r)
    if tag == 5:
        return _d_ToRivetWebSocketOpen(r)
    if tag == 6:
        return _d_ToRivetWebSocketMessage(r)
    if tag == 7:
        return _d_ToRivetWebSocketMessageAck(r)
    if tag == 8:
        return _d_ToRivetWebSocketClose(r)
    raise BareError(f"unknown ToRivetTunnelMessageKind tag {tag}")


ToEnvoyTunnelMessageKind: TypeAlias = ToEnvoyRequestStart | ToEnvoyRequestChunk | ToEnvoyRequestAbort | ToEnvoyRequestBodyCancel | ToEnvoyResponseBodyWindowUpdate | ToEnvoyWebSocketOpen | ToEnvoyWebSocketMessage | ToEnvoyWebSocketClose


def _e_ToEnvoyTunnelMessageKind(w: Writer, v: ToEnvoyTunnelMessageKind) -> None:
    if type(v) is ToEnvoyRequestStart:
        w.uint(0)
        _e_ToEnvoyRequestStart(w, v)
    elif type(v) is ToEnvoyRequestChunk:
        w.uint(1)
        _e_ToEnvoyRequestChunk(w, v)
    elif type(v) is ToEnvoyRequestAbort:
        w.uint(2)
        _e_ToEnvoyRequestAbort(w, v)
    elif type(v) is ToEnvoyRequestBodyCancel:
        w.uint(3)
        _e_ToEnvoyRequestBodyCancel(w, v)
    elif type(v) is ToEnvoyResponseBodyWindowUpdate:
        w.uint(4)
        _e_ToEnvoyResponseBodyWindowUpdate(w, v)
    elif type(v) is ToEnvoyWebSocketOpen:
        w.uint(5)
        _e_ToEnvoyWebSocketOpen(w, v)
    elif type(v) is ToEnvoyWebSocketMessage:
        w.uint(6)
        _e_ToEnvoyWebSocketMessage(w, v)
    elif type(v) is ToEnvoyWebSocketClose:
        w.uint(7)
        _e_ToEnvoyWebSocketClose(w, v)
    else:
        raise BareError(f"not a ToEnvoyTunnelMessageKind: {type(v).__name__}")


def _d_ToEnvoyTunnelMessageKind(r: Reader) -> ToEnvoyTunnelMessageKind:
    tag = r.uint()
    if tag == 0:
        return _d_ToEnvoyRequestStart(r)
    if tag == 1:
        return _d_ToEnvoyRequestChunk(r)
    if tag == 2:
        return _d_ToEnvoyRequestAbort(r)
    if tag == 3:
        return _d_ToEnvoyRequestBodyCancel(r)
    if tag == 4:
        return _d_ToEnvoyResponseBodyWindowUpdate(r)
    if tag == 5:
        return _d_ToEnvoyWebSocketOpen(r)
    if tag == 6:
        return _d_ToEnvoyWebSocketMessage(r)
    if tag == 7:
        return _d_ToEnvoyWebSocketClose(r)
    raise BareError(f"unknown ToEnvoyTunnelMessageKind tag {tag}")


ToRivet: TypeAlias = ToRivetMetadata | ToRivetEvents | ToRivetAckCommands | ToRivetStopping | ToRivetPong | ToRivetKvRequest | ToRivetTunnelMessage | ToRivetSqliteGetPagesRequest | ToRivetSqliteCommitRequest | ToRivetSqliteCommitStageBeginRequest | ToRivetSqliteCommitStageSegmentRequest | ToRivetSqliteCommitFinalizeRequest | ToRivetSqliteExecRequest | ToRivetSqliteExecuteRequest | ToRivetSqliteExecuteBatchRequest


def _e_ToRivet(w: Writer, v: ToRivet) -> None:
    if type(v) is ToRivetMetadata:
        w.uint(0)
        _e_ToRivetMetadata(w, v)
    elif type(v) is ToRivetEvents:
        w.uint(1)
        _e_ToRivetEvents(w, v)
    elif type(v) is ToRivetAckCommands:
        w.uint(2)
        _e_ToRivetAckCommands(w, v)
    elif type(v) is ToRivetStopping:
        w.uint(3)
        _e_ToRivetStopping(w, v)
    elif type(v) is ToRivetPong:
        w.uint(4)
        _e_ToRivetPong(w, v)
    elif type(v) is ToRivetKvRequest:
        w.uint(5)
        _e_ToRivetKvRequest(w, v)
    elif type(v) is ToRivetTunnelMessage:
        w.uint(6)
        _e_ToRivetTunnelMessage(w, v)
    elif type(v) is ToRivetSqliteGetPagesRequest:
        w.uint(7)
        _e_ToRivetSqliteGetPagesRequest(w, v)
    elif type(v) is ToRivetSqliteCommitRequest:
        w.uint(8)
        _e_ToRivetSqliteCommitRequest(w, v)
    elif type(v) is ToRivetSqliteCommitStageBeginRequest:
        w.uint(9)
        _e_ToRivetSqliteCommitStageBeginRequest(w, v)
    elif type(v) is ToRivetSqliteCommitStageSegmentRequest:
        w.uint(10)
        _e_ToRivetSqliteCommitStageSegmentRequest(w, v)
    elif type(v) is ToRivetSqliteCommitFinalizeRequest:
        w.uint(11)
        _e_ToRivetSqliteCommitFinalizeRequest(w, v)
    elif type(v) is ToRivetSqliteExecRequest:
        w.uint(12)
        _e_ToRivetSqliteExecRequest(w, v)
    elif type(v) is ToRivetSqliteExecuteRequest:
        w.uint(13)
        _e_ToRivetSqliteExecuteRequest(w, v)
    elif type(v) is ToRivetSqliteExecuteBatchRequest:
        w.uint(14)
        _e_ToRivetSqliteExecuteBatchRequest(w, v)
    else:
        raise BareError(f"not a ToRivet: {type(v).__name__}")


def _d_ToRivet(r: Reader) -> ToRivet:
    tag = r.uint()
    if tag == 0:
        return _d_ToRivetMetadata(r)
    if tag == 1:
        return _d_ToRivetEvents(r)
    if tag == 2:
        return _d_ToRivetAckCommands(r)
    if tag == 3:
        return _d_ToRivetStopping(r)
    if tag == 4:
        return _d_ToRivetPong(r)
    if tag == 5:
        return _d_ToRivetKvRequest(r)
    if tag == 6:
        return _d_ToRivetTunnelMessage(r)
    if tag == 7:
        return _d_ToRivetSqliteGetPagesRequest(r)
    if tag == 8:
        return _d_ToRivetSqliteCommitRequest(r)
    if tag == 9:
        return _d_ToRivetSqliteCommitStageBeginRequest(r)
    if tag == 10:
        return _d_ToRivetSqliteCommitStageSegmentRequest(r)
    if tag == 11:
        return _d_ToRivetSqliteCommitFinalizeRequest(r)
    if tag == 12:
        return _d_ToRivetSqliteExecRequest(r)
    if tag == 13:
        return _d_ToRivetSqliteExecuteRequest(r)
    if tag == 14:
        return _d_ToRivetSqliteExecuteBatchRequest(r)
    raise BareError(f"unknown ToRivet tag {tag}")


ToEnvoy: TypeAlias = ToEnvoyInit | ToEnvoyCommands | ToEnvoyAckEvents | ToEnvoyKvResponse | ToEnvoyTunnelMessage | ToEnvoyPing | ToEnvoySqliteGetPagesResponse | ToEnvoySqliteCommitResponse | ToEnvoySqliteCommitStageBeginResponse | ToEnvoySqliteCommitStageSegmentResponse | ToEnvoySqliteCommitFinalizeResponse | ToEnvoySqliteExecResponse | ToEnvoySqliteExecuteResponse | ToEnvoySqliteExecuteBatchResponse


def _e_ToEnvoy(w: Writer, v: ToEnvoy) -> None:
    if type(v) is ToEnvoyInit:
        w.uint(0)
        _e_ToEnvoyInit(w, v)
    elif type(v) is ToEnvoyCommands:
        w.uint(1)
        _e_ToEnvoyCommands(w, v)
    elif type(v) is ToEnvoyAckEvents:
        w.uint(2)
        _e_ToEnvoyAckEvents(w, v)
    elif type(v) is ToEnvoyKvResponse:
        w.uint(3)
        _e_ToEnvoyKvResponse(w, v)
    elif type(v) is ToEnvoyTunnelMessage:
        w.uint(4)
        _e_ToEnvoyTunnelMessage(w, v)
    elif type(v) is ToEnvoyPing:
        w.uint(5)
        _e_ToEnvoyPing(w, v)
    elif type(v) is ToEnvoySqliteGetPagesResponse:
        w.uint(6)
        _e_ToEnvoySqliteGetPagesResponse(w, v)
    elif type(v) is ToEnvoySqliteCommitResponse:
        w.uint(7)
        _e_ToEnvoySqliteCommitResponse(w, v)
    elif type(v) is ToEnvoySqliteCommitStageBeginResponse:
        w.uint(8)
        _e_ToEnvoySqliteCommitStageBeginResponse(w, v)
    elif type(v) is ToEnvoySqliteCommitStageSegmentResponse:
        w.uint(9)
        _e_ToEnvoySqliteCommitStageSegmentResponse(w, v)
    elif type(v) is ToEnvoySqliteCommitFinalizeResponse:
        w.uint(10)
        _e_ToEnvoySqliteCommitFinalizeResponse(w, v)
    elif type(v) is ToEnvoySqliteExecResponse:
        w.uint(11)
        _e_ToEnvoySqliteExecResponse(w, v)
    elif type(v) is ToEnvoySqliteExecuteResponse:
        w.uint(12)
        _e_ToEnvoySqliteExecuteResponse(w, v)
    elif type(v) is ToEnvoySqliteExecuteBatchResponse:
        w.uint(13)
        _e_ToEnvoySqliteExecuteBatchResponse(w, v)
    else:
        raise BareError(f"not a ToEnvoy: {type(v).__name__}")


def _d_ToEnvoy(r: Reader) -> ToEnvoy:
    tag = r.uint()
    if tag == 0:
        return _d_ToEnvoyInit(r)
    if tag == 1:
        return _d_ToEnvoyCommands(r)
    if tag == 2:
        return _d_ToEnvoyAckEvents(r)
    if tag == 3:
        return _d_ToEnvoyKvResponse(r)
    if tag == 4:
        return _d_ToEnvoyTunnelMessage(r)
    if tag == 5:
        return _d_ToEnvoyPing(r)
    if tag == 6:
        return _d_ToEnvoySqliteGetPagesResponse(r)
    if tag == 7:
        return _d_ToEnvoySqliteCommitResponse(r)
    if tag == 8:
        return _d_ToEnvoySqliteCommitStageBeginResponse(r)
    if tag == 9:
        return _d_ToEnvoySqliteCommitStageSegmentResponse(r)
    if tag == 10:
        return _d_ToEnvoySqliteCommitFinalizeResponse(r)
    if tag == 11:
        return _d_ToEnvoySqliteExecResponse(r)
    if tag == 12:
        return _d_ToEnvoySqliteExecuteResponse(r)
    if tag == 13:
        return _d_ToEnvoySqliteExecuteBatchResponse(r)
    raise BareError(f"unknown ToEnvoy tag {tag}")


ToEnvoyConn: TypeAlias = ToEnvoyConnPing | ToEnvoyConnClose | ToEnvoyCommands | ToEnvoyAckEvents | ToEnvoyTunnelMessage


def _e_ToEnvoyConn(w: Writer, v: ToEnvoyConn) -> None:
    if type(v) is ToEnvoyConnPing:
        w.uint(0)
        _e_ToEnvoyConnPing(w, v)
    elif type(v) is ToEnvoyConnClose:
        w.uint(1)
        _e_ToEnvoyConnClose(w, v)
    elif type(v) is ToEnvoyCommands:
        w.uint(2)
        _e_ToEnvoyCommands(w, v)
    elif type(v) is ToEnvoyAckEvents:
        w.uint(3)
        _e_ToEnvoyAckEvents(w, v)
    elif type(v) is ToEnvoyTunnelMessage:
        w.uint(4)
        _e_ToEnvoyTunnelMessage(w, v)
    else:
        raise BareError(f"not a ToEnvoyConn: {type(v).__name__}")


def _d_ToEnvoyConn(r: Reader) -> ToEnvoyConn:
    tag = r.uint()
    if tag == 0:
        return _d_ToEnvoyConnPing(r)
    if tag == 1:
        return _d_ToEnvoyConnClose(r)
    if tag == 2:
        return _d_ToEnvoyCommands(r)
    if tag == 3:
        return _d_ToEnvoyAckEvents(r)
    if tag == 4:
        return _d_ToEnvoyTunnelMessage(r)
    raise BareError(f"unknown ToEnvoyConn tag {tag}")


ToGateway: TypeAlias = ToGatewayPong | ToRivetTunnelMessage


def _e_ToGateway(w: Writer, v: ToGateway) -> None:
    if type(v) is ToGatewayPong:
        w.uint(0)
        _e_ToGatewayPong(w, v)
    elif type(v) is ToRivetTunnelMessage:
        w.uint(1)
        _e_ToRivetTunnelMessage(w, v)
    else:
        raise BareError(f"not a ToGateway: {type(v).__name__}")


def _d_ToGateway(r: Reader) -> ToGateway:
    tag = r.uint()
    if tag == 0:
        return _d_ToGatewayPong(r)
    if tag == 1:
        return _d_ToRivetTunnelMessage(r)
    raise BareError(f"unknown ToGateway tag {tag}")


ToOutbound: TypeAlias = ToOutboundActorStart


def _e_ToOutbound(w: Writer, v: ToOutbound) -> None:
    if type(v) is ToOutboundActorStart:
        w.uint(0)
        _e_ToOutboundActorStart(w, v)
    else:
        raise BareError(f"not a ToOutbound: {type(v).__name__}")


def _d_ToOutbound(r: Reader) -> ToOutbound:
    tag = r.uint()
    if tag == 0:
        return _d_ToOutboundActorStart(r)
    raise BareError(f"unknown ToOutbound tag {tag}")


def encode_ToRivet(msg: ToRivet) -> bytes:
    w = Writer()
    _e_ToRivet(w, msg)
    return w.getvalue()


def decode_ToRivet(data: bytes) -> ToRivet:
    r = Reader(data)
    msg = _d_ToRivet(r)
    r.end()
    return msg


def encode_ToEnvoy(msg: ToEnvoy) -> bytes:
    w = Writer()
    _e_ToEnvoy(w, msg)
    return w.getvalue()


def decode_ToEnvoy(data: bytes) -> ToEnvoy:
    r = Reader(data)
    msg = _d_ToEnvoy(r)
    r.end()
    return msg
