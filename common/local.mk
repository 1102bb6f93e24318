# common/: the ground both binaries stand on (logging, never-NULL
# allocation, what older libcs lack).  Nothing here knows of X, HTTP or EC2.
noinst_LIBRARIES += common/libdeskcommon.a
common_libdeskcommon_a_CFLAGS = $(AM_CFLAGS)
common_libdeskcommon_a_SOURCES = \
	common/compat.c common/compat.h \
	common/log.c common/log.h \
	common/sha1.c common/sha1.h \
	common/strv.c common/strv.h \
	common/xmalloc.c common/xmalloc.h
