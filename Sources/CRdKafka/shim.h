#ifndef BATON_CRDKAFKA_SHIM_H
#define BATON_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/*
 * Typed wrappers for the parts of librdkafka Swift cannot call or see directly:
 * variadic functions (rd_kafka_producev) and macros with casts.
 */

/* RD_KAFKA_PARTITION_UA: let the partitioner choose. */
static inline int32_t baton_rd_kafka_partition_ua(void) {
    return RD_KAFKA_PARTITION_UA;
}

/* RD_KAFKA_OFFSET_INVALID: "no offset" (e.g. nothing committed). */
static inline int64_t baton_rd_kafka_offset_invalid(void) {
    return RD_KAFKA_OFFSET_INVALID;
}

/*
 * Produce one message. Key and value are copied (RD_KAFKA_MSG_F_COPY); a NULL key
 * is a null key. `headers` may be NULL; librdkafka takes ownership of it only when
 * the call succeeds, so the caller destroys it when an error is returned.
 * `opaque` comes back in the delivery report as rd_kafka_message_t._private.
 * With a topic handle `rkt` (rd_kafka_topic_new) the message goes to its topic and
 * `topic` is ignored: librdkafka then skips finding the topic by name under its
 * client-wide lock, once per message.
 *
 * Returns NULL on success, or an error the caller must rd_kafka_error_destroy().
 */
static inline rd_kafka_error_t *baton_rd_kafka_produce(rd_kafka_t *rk,
                                                        rd_kafka_topic_t *rkt,
                                                        const char *topic,
                                                        int32_t partition,
                                                        const void *key,
                                                        size_t key_size,
                                                        const void *value,
                                                        size_t value_size,
                                                        rd_kafka_headers_t *headers,
                                                        void *opaque) {
    rd_kafka_vu_t vus[7];
    size_t n = 0;

    if (rkt != NULL) {
        vus[n].vtype = RD_KAFKA_VTYPE_RKT;
        vus[n].u.rkt = rkt;
    } else {
        vus[n].vtype = RD_KAFKA_VTYPE_TOPIC;
        vus[n].u.cstr = topic;
    }
    n++;

    vus[n].vtype = RD_KAFKA_VTYPE_PARTITION;
    vus[n].u.i32 = partition;
    n++;

    vus[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vus[n].u.i = RD_KAFKA_MSG_F_COPY;
    n++;

    if (key != NULL) {
        vus[n].vtype = RD_KAFKA_VTYPE_KEY;
        vus[n].u.mem.ptr = (void *)key;
        vus[n].u.mem.size = key_size;
        n++;
    }

    vus[n].vtype = RD_KAFKA_VTYPE_VALUE;
    vus[n].u.mem.ptr = (void *)value;
    vus[n].u.mem.size = value_size;
    n++;

    if (headers != NULL) {
        vus[n].vtype = RD_KAFKA_VTYPE_HEADERS;
        vus[n].u.headers = headers;
        n++;
    }

    vus[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
    vus[n].u.ptr = opaque;
    n++;

    return rd_kafka_produceva(rk, vus, n);
}

#endif
