# The stress test with profiling off (rt_* straight to mimalloc, and the
# interposer preloaded but not counting): every block must still be aligned
# as promised (16, or the alignment asked for), zeroed by calloc, and keep
# its contents through realloc and across threads. See t_stress.sh.
set -eu
exec bash "$(dirname "$0")/t_stress.sh" off
