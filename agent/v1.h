/* v1.h: the native surface's route table (v1.c). */
#ifndef V1_H
#define V1_H

struct http_route_entry;

extern const struct http_route_entry v1_routes[];

#endif
