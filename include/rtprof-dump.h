/* The dump format shared by the writer (alloc/dump.c) and the reader
 * (symbolize/dump_read.c): version, record names and the limits a reader may
 * enforce. The format itself is documented in docs/dump-format.md. */
#ifndef RTPROF_DUMP_H
#define RTPROF_DUMP_H

#define RTPROF_DUMP_MAGIC "rtprof-dump"
#define RTPROF_DUMP_VERSION 1

#define RTPROF_DUMP_MAX_LINE 8192     /* bytes in one line, newline included */
#define RTPROF_DUMP_MAX_DEPTH 16      /* frames per site */
#define RTPROF_DUMP_MAX_SITES 1048576
#define RTPROF_DUMP_MAX_PHASES 65536
#define RTPROF_DUMP_MAX_PAIRS 1048576
#define RTPROF_DUMP_MAX_MODULES 4096
#define RTPROF_DUMP_MAX_ERRORS 256
#define RTPROF_DUMP_MAX_PHASE_NAME 63 /* bytes; with 64 levels a path stays under 4 KiB */
#define RTPROF_DUMP_MAX_SNAPSHOTS 1048576
#define RTPROF_DUMP_MAX_SNAPSHOT_TOP 64 /* sites in one snapshot_top record */
#define RTPROF_DUMP_MAX_NAME 255      /* bytes of a named site's function or file */

/* Record names, in the order they are written. */
#define RTPROF_REC_PROCESS "process"
#define RTPROF_REC_EXE "exe"
#define RTPROF_REC_TOTALS "totals"
#define RTPROF_REC_MODULE "module"
#define RTPROF_REC_NAME "name"
#define RTPROF_REC_SITE "site"
#define RTPROF_REC_OVERFLOW "overflow"
#define RTPROF_REC_PHASE "phase"
#define RTPROF_REC_PAIR "pair"
#define RTPROF_REC_WARNING "warning"
#define RTPROF_REC_ERROR "error"
#define RTPROF_REC_SNAPSHOT "snapshot"
#define RTPROF_REC_SNAPSHOT_TOP "snapshot_top" /* follows its snapshot */
#define RTPROF_REC_PEAK "peak"
#define RTPROF_REC_PEAK_SITE "peak_site"
#define RTPROF_REC_PEAK_PHASE "peak_phase"
#define RTPROF_REC_PAIR_FIRST "pair_first"
#define RTPROF_REC_END "end"

#endif /* RTPROF_DUMP_H */
