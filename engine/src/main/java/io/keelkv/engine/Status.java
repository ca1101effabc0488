package io.keelkv.engine;

/** Outcome of a typed engine call; the hot path returns these rather than throwing (Garnet's GarnetStatus). */
public enum Status
{
    OK,
    NOT_FOUND,
    WRONG_TYPE,
    OOM,
    NOT_INTEGER,
    OVERFLOW,
    /** Writes are refused: the AOF cannot write or sync (the server's -MISCONF). Nothing was changed. */
    MISCONF
}
