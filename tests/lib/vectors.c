// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vectors.c - test packets built from the published wire formats, each
 * cited below by its public source (Documentation/signatures.rst gives
 * them per signature).
 *
 * Each vector is built field by field from its specification, never copied
 * from the classifier's constants, so a signature that drifts from the
 * published format fails here.  Scrambled protocols are scrambled with the
 * published algorithms (vec_pppp_scramble(), vec_tutk_scramble()), which
 * tests/unit/test_classify.c pins with known-answer tests.
 *
 * Addresses: the Internet is 192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32
 * (documentation ranges); the LAN is 192.168.1.0/24, fe80::/10 and the
 * multicast groups; loopback is 127.0.0.0/8 and ::1.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"
#include "policy.h"

#define VEC_MAX		224
#define VEC_NAME_MAX	64

static struct vec_spec vecs[VEC_MAX];
static char vec_names[VEC_MAX][VEC_NAME_MAX];
static size_t n_vecs;
static __u32 vec_rng;

/* ---- scramblers --------------------------------------------------------- */

/**
 * vec_pppp_scramble() - CS2 PPPP "P2P_Proprietary_Encrypt" (magicus/
 * pppp-dissector pppp_dissect.lua, datenstau/A9_PPPP crypt.js).
 * @psk: key string.
 * @in:  plaintext packet, header included.
 * @out: ciphertext (may equal @in).
 * @n:   bytes.
 *
 * The PSK is folded into four bytes; each key byte is the shuffle-table
 * entry selected by the previous ciphertext byte, so the scramble chains.
 */
void vec_pppp_scramble(const char *psk, const __u8 *in, __u8 *out, size_t n)
{
	__u8 k[4] = { 0, 0, 0, 0 }, prev = 0;
	const unsigned char *c;
	size_t i;

	for (c = (const unsigned char *)psk; *c; c++) {
		k[0] += *c;
		k[1] -= *c;
		k[2] += *c / 3;
		k[3] ^= *c;
	}
	for (i = 0; i < n; i++) {
		__u8 key = p2pg_pppp_shuffle[(__u8)(k[prev & 3] + prev)];

		out[i] = in[i] ^ key;
		prev = out[i];
	}
}

static const char vec_charlie[] = "Charlie is the designer of P2P!!";

/* go2rtc pkg/tutk/crypto.go swap() for a whole block: dst[i] = src[p[i]]. */
static const __u8 vec_tutk_perm[16] = {
	11, 9, 8, 15, 13, 10, 12, 14, 2, 1, 5, 0, 6, 4, 7, 3
};

static __u32 vec_get_le32(const __u8 *p)
{
	return p[0] | (__u32)p[1] << 8 | (__u32)p[2] << 16 | (__u32)p[3] << 24;
}

static void vec_put_le32(__u8 *p, __u32 x)
{
	p[0] = x;
	p[1] = x >> 8;
	p[2] = x >> 16;
	p[3] = x >> 24;
}

static __u32 vec_ror32(__u32 x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

/**
 * vec_tutk_scramble() - ThroughTek IOTC "TransCode" (AlexxIT/go2rtc
 * pkg/tutk/crypto.go, TransCodePartial): the forward transform a device
 * applies before sending.
 * @in:  plaintext.
 * @out: scrambled bytes (may equal @in).
 * @n:   bytes.
 *
 * Per 16-byte block: rotate each LE32 word right by 1/5/9/13, XOR the first
 * 16 key bytes, shuffle, rotate right by 3/7/11/15.  The n % 16 tail is
 * XORed with the key from its start, then reordered for n = 2, 4 and 8.
 */
void vec_tutk_scramble(const __u8 *in, __u8 *out, size_t n)
{
	__u8 a[16], b[16];
	size_t off = 0, tail, i;

	for (; n - off >= 16; off += 16) {
		for (i = 0; i < 16; i += 4)
			vec_put_le32(a + i,
				     vec_ror32(vec_get_le32(in + off + i),
					       i + 1));
		for (i = 0; i < 16; i++)
			a[i] ^= (__u8)vec_charlie[i];
		for (i = 0; i < 16; i++)
			b[i] = a[vec_tutk_perm[i]];
		for (i = 0; i < 16; i += 4)
			vec_put_le32(out + off + i,
				     vec_ror32(vec_get_le32(b + i), i + 3));
	}
	tail = n - off;
	for (i = 0; i < tail; i++)
		a[i] = in[off + i] ^ (__u8)vec_charlie[i];
	out += off;
	switch (tail) {
	case 2:
		out[0] = a[1];
		out[1] = a[0];
		break;
	case 4:
		out[0] = a[2];
		out[1] = a[3];
		out[2] = a[0];
		out[3] = a[1];
		break;
	case 8:
		out[0] = a[7];
		out[1] = a[4];
		out[2] = a[3];
		out[3] = a[2];
		out[4] = a[1];
		out[5] = a[6];
		out[6] = a[5];
		out[7] = a[0];
		break;
	default:
		memcpy(out, a, tail);
	}
}

/* ---- building a vector -------------------------------------------------- */

void vec_set_addr(struct vec_spec *v, const char *text)
{
	memset(v->daddr, 0, sizeof(v->daddr));
	if (inet_pton(AF_INET, text, v->daddr) == 1) {
		v->family = 4;
	} else if (inet_pton(AF_INET6, text, v->daddr) == 1) {
		v->family = 6;
	} else {
		fprintf(stderr, "vectors: bad address %s\n", text);
		abort();
	}
}

/* Deterministic filler: xorshift32, seeded per vector from its name. */
static __u32 vec_rand(void)
{
	vec_rng ^= vec_rng << 13;
	vec_rng ^= vec_rng >> 17;
	vec_rng ^= vec_rng << 5;
	return vec_rng;
}

static struct vec_spec *vnew(const char *name, const char *addr, __u8 proto,
			     __u16 dport, unsigned int expect)
{
	struct vec_spec *v;
	const char *c;

	if (n_vecs >= VEC_MAX) {
		fprintf(stderr, "vectors: raise VEC_MAX\n");
		abort();
	}
	v = &vecs[n_vecs];
	snprintf(vec_names[n_vecs], VEC_NAME_MAX, "%s", name);
	n_vecs++;
	memset(v, 0, sizeof(*v));
	v->name = vec_names[n_vecs - 1];
	v->l4proto = proto;
	v->dport = dport;
	v->expect = expect;
	vec_set_addr(v, addr);
	/* Seeded from the name: a new vector leaves the others' bytes alone. */
	vec_rng = 2166136261u;
	for (c = name; *c; c++)
		vec_rng = (vec_rng ^ (__u8)*c) * 16777619u;
	vec_rng |= 1;
	v->sport = 40000 + vec_rand() % 20000;	/* an ephemeral port */
	return v;
}

/* The same packet to another destination (usually the IPv6 twin). */
static struct vec_spec *vdup(const struct vec_spec *src, const char *suffix,
			     const char *addr)
{
	struct vec_spec *v = vnew(src->name, addr, src->l4proto, src->dport,
				  src->expect);
	size_t i = v - vecs;

	memcpy(v->payload, src->payload, src->payload_len);
	v->payload_len = src->payload_len;
	v->sport = src->sport;
	v->flags = src->flags;
	v->gso = src->gso;
	v->frag_keep = src->frag_keep;
	snprintf(vec_names[i], VEC_NAME_MAX, "%s-%s", src->name, suffix);
	return v;
}

static __u8 *p_room(struct vec_spec *v, size_t n)
{
	__u8 *p;

	if (v->payload_len + n > VEC_PAYLOAD_MAX) {
		fprintf(stderr, "vectors: %s: payload too long\n", v->name);
		abort();
	}
	p = v->payload + v->payload_len;
	v->payload_len += n;
	return p;
}

static void p_bytes(struct vec_spec *v, const void *d, size_t n)
{
	memcpy(p_room(v, n), d, n);
}

static void p_str(struct vec_spec *v, const char *s)
{
	p_bytes(v, s, strlen(s));
}

static void p_u8(struct vec_spec *v, __u8 x)
{
	*p_room(v, 1) = x;
}

static void p_be16(struct vec_spec *v, __u16 x)
{
	__u8 *p = p_room(v, 2);

	p[0] = x >> 8;
	p[1] = x;
}

static void p_be32(struct vec_spec *v, __u32 x)
{
	p_be16(v, x >> 16);
	p_be16(v, x);
}

static void p_le16(struct vec_spec *v, __u16 x)
{
	__u8 *p = p_room(v, 2);

	p[0] = x;
	p[1] = x >> 8;
}

static void p_le32(struct vec_spec *v, __u32 x)
{
	vec_put_le32(p_room(v, 4), x);
}

static void p_zero(struct vec_spec *v, size_t n)
{
	memset(p_room(v, n), 0, n);
}

static void p_rand(struct vec_spec *v, size_t n)
{
	__u8 *p = p_room(v, n);

	while (n--)
		*p++ = vec_rand();
}

/* Printable filler (UID check codes, nonces, encrypted text as base64...). */
static void p_alnum(struct vec_spec *v, size_t n)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	__u8 *p = p_room(v, n);

	while (n--)
		*p++ = set[vec_rand() % (sizeof(set) - 1)];
}

/* Reserve an @n-byte big-endian length field; p_len_fill() sets it. */
static size_t p_len_mark(struct vec_spec *v, size_t n)
{
	size_t at = v->payload_len;

	p_zero(v, n);
	return at;
}

static void p_len_fill(struct vec_spec *v, size_t at, size_t n)
{
	size_t len = v->payload_len - at - n, i;

	for (i = 0; i < n; i++)
		v->payload[at + i] = len >> (8 * (n - 1 - i));
}

/* ---- protocol builders -------------------------------------------------- */

/* CS2 PPPP UID (pmarrapese/iot pppp.fdesc): prefix, BE32 serial, check. */
static void p_pppp_uid(struct vec_spec *v, const char *prefix)
{
	char pre[8] = { 0 };

	memcpy(pre, prefix, strlen(prefix) < 8 ? strlen(prefix) : 8);
	p_bytes(v, pre, 8);
	p_be32(v, 100000 + vec_rand() % 900000);
	p_alnum(v, 5);
	p_zero(v, 3);
}

/* PPPP sockaddr as pppp.fdesc lays it out: family, port, IPv4, zero pad. */
static void p_pppp_sockaddr(struct vec_spec *v)
{
	p_le16(v, 2);			/* AF_INET */
	p_be16(v, v->sport);
	p_bytes(v, "\xc0\xa8\x01\x0a", 4);	/* 192.168.1.10 */
	p_zero(v, 8);
}

/* A whole PPPP message: F1 <type> <BE16 body length> <body>. */
enum pppp_msg {
	PPPP_HELLO, PPPP_DEV_LGN, PPPP_DEV_LGN_CRC, PPPP_P2P_REQ,
	PPPP_PUNCH_PKT, PPPP_P2P_RDY, PPPP_DRW, PPPP_ALIVE, PPPP_LAN_SEARCH,
};

static void p_pppp(struct vec_spec *v, enum pppp_msg msg, size_t drw_data)
{
	size_t at;

	p_u8(v, 0xf1);
	switch (msg) {
	case PPPP_HELLO:
		p_u8(v, 0x00);
		break;
	case PPPP_DEV_LGN:	/* UID(20) nat(1) ver(3) sockaddr(16) = 40 */
		p_u8(v, 0x10);
		break;
	case PPPP_DEV_LGN_CRC:	/* DEV_LGN + 4-byte CRC = 44 */
		p_u8(v, 0x12);
		break;
	case PPPP_P2P_REQ:	/* UID(20) sockaddr(16) = 36 */
		p_u8(v, 0x20);
		break;
	case PPPP_PUNCH_PKT:	/* UID(20) */
		p_u8(v, 0x41);
		break;
	case PPPP_P2P_RDY:
		p_u8(v, 0x42);
		break;
	case PPPP_DRW:
		p_u8(v, 0xd0);
		break;
	case PPPP_ALIVE:
		p_u8(v, 0xe0);
		break;
	case PPPP_LAN_SEARCH:
		p_u8(v, 0x30);
		break;
	}
	at = p_len_mark(v, 2);
	switch (msg) {
	case PPPP_DEV_LGN:
	case PPPP_DEV_LGN_CRC:
		p_pppp_uid(v, "VSTA");
		p_u8(v, 2);			/* NAT type */
		p_bytes(v, "\x04\x02\x19", 3);	/* library version */
		p_pppp_sockaddr(v);
		if (msg == PPPP_DEV_LGN_CRC)
			p_rand(v, 4);
		break;
	case PPPP_P2P_REQ:
		p_pppp_uid(v, "DGOA");
		p_pppp_sockaddr(v);
		break;
	case PPPP_PUNCH_PKT:
	case PPPP_P2P_RDY:
		p_pppp_uid(v, "BHCC");
		break;
	case PPPP_DRW:
		/* d1 <channel> <BE16 index>, then the app frame (11 0a ...) */
		p_u8(v, 0xd1);
		p_u8(v, 0);
		p_be16(v, 7);
		if (drw_data >= 2) {
			p_bytes(v, "\x11\x0a", 2);
			p_rand(v, drw_data - 2);
		}
		break;
	default:
		break;
	}
	p_len_fill(v, at, 2);
}

static void p_pppp_scrambled(struct vec_spec *v, const char *psk,
			     enum pppp_msg msg, size_t drw_data)
{
	size_t at = v->payload_len;

	p_pppp(v, msg, drw_data);
	vec_pppp_scramble(psk, v->payload + at, v->payload + at,
			  v->payload_len - at);
}

/*
 * TUTK IOTC message (go2rtc pkg/tutk/conn.go) scrambled whole (crypto.go):
 * 04 02 <ver> <mode> <LE16 len - 16> <LE16 seq> <LE16 cmd> <LE16 direction>
 * <4 random bytes> and @body_len bytes of body, the 20-byte UID first when
 * @uid.
 */
static void p_tutk(struct vec_spec *v, __u8 ver, __u8 mode, __u16 cmd,
		   __u16 dir, size_t body_len, int uid)
{
	size_t at = v->payload_len;

	p_bytes(v, "\x04\x02", 2);
	p_u8(v, ver);
	p_u8(v, mode);
	p_le16(v, body_len);
	p_le16(v, 0);
	p_le16(v, cmd);
	p_le16(v, dir);
	p_rand(v, 4);
	if (uid && body_len >= 20) {
		p_alnum(v, 20);
		body_len -= 20;
	}
	p_rand(v, body_len);
	vec_tutk_scramble(v->payload + at, v->payload + at,
			  v->payload_len - at);
}

/* A dotted name in DNS wire form: labels, then the root. */
static void p_dns_name(struct vec_spec *v, const char *name)
{
	const char *l = name;

	while (*l) {
		const char *dot = strchr(l, '.');
		size_t n = dot ? (size_t)(dot - l) : strlen(l);

		p_u8(v, n);
		p_bytes(v, l, n);
		l += n + (dot ? 1 : 0);
	}
	p_u8(v, 0);
}

/*
 * DNS query (RFC 1035): header, one question, optional EDNS0 OPT record;
 * over TCP a BE16 length comes first (RFC 7766).
 */
static void p_dns(struct vec_spec *v, __u16 id, const char *name, __u16 qtype,
		  int edns)
{
	size_t at = 0;

	if (v->l4proto == IPPROTO_TCP)
		at = p_len_mark(v, 2);
	p_be16(v, id);
	p_be16(v, 0x0100);		/* standard query, RD */
	p_be16(v, 1);
	p_be16(v, 0);
	p_be16(v, 0);
	p_be16(v, edns ? 1 : 0);
	p_dns_name(v, name);
	p_be16(v, qtype);
	p_be16(v, 1);			/* IN */
	if (edns) {
		p_u8(v, 0);		/* root */
		p_be16(v, 41);		/* OPT */
		p_be16(v, 1232);	/* UDP payload size */
		p_be32(v, 0);
		p_be16(v, 0);
	}
	if (v->l4proto == IPPROTO_TCP)
		p_len_fill(v, at, 2);
}

void vec_dns_query(struct vec_spec *v, __u16 id, const char *name)
{
	p_dns(v, id, name, 1, 0);
}

/* Minimal STUN Binding Request (RFC 5389): header and transaction id. */
static void p_stun_binding(struct vec_spec *v)
{
	p_be16(v, 0x0001);
	p_be16(v, 0);
	p_be32(v, 0x2112a442);
	p_rand(v, 12);
}

/* RFC 5769 §2.1 sample request, 108 bytes. */
static const __u8 rfc5769_request[108] = {
	0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
	0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10,
	0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73,
	0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74,
	0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
	0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1,
	0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09,
	0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76,
	0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14,
	0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56,
	0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
	0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04,
	0xe5, 0x7a, 0x3b, 0xcf,
};

/*
 * 44-byte Binding Request with 24 bytes of attributes (CHANGE-REQUEST,
 * SOFTWARE): what Dahua sends bit-inverted (khoanguyen-3fc/dh-p2p;
 * libprotoident lpi_dahua.cc matches the inverted first bytes ff fe ff e7).
 */
static void p_stun44(struct vec_spec *v)
{
	p_be16(v, 0x0001);
	p_be16(v, 24);
	p_be32(v, 0x2112a442);
	p_rand(v, 12);
	p_be16(v, 0x0003);		/* CHANGE-REQUEST */
	p_be16(v, 4);
	p_be32(v, 0);
	p_be16(v, 0x8022);		/* SOFTWARE */
	p_be16(v, 12);
	p_str(v, "DH-P2P v3.0 ");
}

/* Reolink BcUdp discovery header (neolink): magic, size, 1, tid, CRC. */
static void p_reolink_disc(struct vec_spec *v, size_t xml_len)
{
	p_le32(v, 0x2a87cf3a);
	p_le32(v, xml_len);
	p_le32(v, 1);
	p_le32(v, vec_rand());
	p_le32(v, vec_rand());
	p_rand(v, xml_len);		/* XOR-encrypted XML */
}

static const char *soap_fmt =
	"POST /ctl/IPConn HTTP/1.1\r\n"
	"Host: %s:5000\r\n"
	"User-Agent: Linux/4.9, UPnP/1.1, MiniUPnPc/2.2.4\r\n"
	"Content-Length: %zu\r\n"
	"Content-Type: text/xml\r\n"
	"SOAPAction: \"urn:schemas-upnp-org:service:%s#%s\"\r\n"
	"Connection: close\r\n"
	"Cache-Control: no-cache\r\n"
	"Pragma: no-cache\r\n"
	"\r\n"
	"%s";

/* miniupnpc-style SOAP request (upnpcommands.c, miniwget.c). */
static void p_soap(struct vec_spec *v, const char *host, const char *service,
		   const char *action, const char *args)
{
	char body[1024], req[VEC_PAYLOAD_MAX];
	int n;

	n = snprintf(body, sizeof(body),
		     "<?xml version=\"1.0\"?>\r\n"
		     "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
		     "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">"
		     "<s:Body><u:%s xmlns:u=\"urn:schemas-upnp-org:service:%s\">"
		     "%s</u:%s></s:Body></s:Envelope>\r\n",
		     action, service, args, action);
	if (n < 0 || (size_t)n >= sizeof(body))
		abort();
	n = snprintf(req, sizeof(req), soap_fmt, host, (size_t)n, service,
		     action, body);
	if (n < 0 || (size_t)n >= sizeof(req))
		abort();
	p_str(v, req);
}

static const char *add_mapping_args =
	"<NewRemoteHost></NewRemoteHost>"
	"<NewExternalPort>32100</NewExternalPort>"
	"<NewProtocol>UDP</NewProtocol>"
	"<NewInternalPort>32100</NewInternalPort>"
	"<NewInternalClient>192.168.1.10</NewInternalClient>"
	"<NewEnabled>1</NewEnabled>"
	"<NewPortMappingDescription>P2P</NewPortMappingDescription>"
	"<NewLeaseDuration>0</NewLeaseDuration>";

/* HTTP POST carrying a Xiongmai cloud JSON message (numenworld-ipcam). */
static void p_xm_post(struct vec_spec *v, const char *host, const char *json)
{
	char req[VEC_PAYLOAD_MAX];
	int n;

	n = snprintf(req, sizeof(req),
		     "POST / HTTP/1.1\r\n"
		     "Host: %s\r\n"
		     "Content-Length: %zu\r\n"
		     "\r\n%s", host, strlen(json), json);
	if (n < 0 || (size_t)n >= sizeof(req))
		abort();
	p_str(v, req);
}

/*
 * TLS 1.3 ClientHello (RFC 8446 §4.1.2) with SNI example.com, the shape a
 * current OpenSSL client sends: record header, handshake header, random,
 * session id, suites, extensions.
 */
static void p_tls_client_hello(struct vec_spec *v, const char *sni)
{
	static const __u8 suites[] = {
		0x13, 0x02, 0x13, 0x03, 0x13, 0x01, 0xc0, 0x2c, 0xc0, 0x30,
		0xcc, 0xa9, 0xcc, 0xa8, 0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0xff,
	};
	size_t rec, hs, ext, e, l;

	p_u8(v, 0x16);			/* handshake */
	p_be16(v, 0x0301);
	rec = p_len_mark(v, 2);
	p_u8(v, 0x01);			/* ClientHello */
	hs = p_len_mark(v, 3);
	p_be16(v, 0x0303);
	p_rand(v, 32);
	p_u8(v, 32);
	p_rand(v, 32);			/* legacy session id */
	p_be16(v, sizeof(suites));
	p_bytes(v, suites, sizeof(suites));
	p_u8(v, 1);
	p_u8(v, 0);			/* null compression */
	ext = p_len_mark(v, 2);
	/* server_name */
	p_be16(v, 0x0000);
	e = p_len_mark(v, 2);
	l = p_len_mark(v, 2);
	p_u8(v, 0);
	p_be16(v, strlen(sni));
	p_str(v, sni);
	p_len_fill(v, l, 2);
	p_len_fill(v, e, 2);
	/* ec_point_formats */
	p_bytes(v, "\x00\x0b\x00\x04\x03\x00\x01\x02", 8);
	/* supported_groups: x25519, secp256r1, x448, secp521r1, secp384r1 */
	p_bytes(v, "\x00\x0a\x00\x0c\x00\x0a\x00\x1d\x00\x17\x00\x1e\x00\x19"
		"\x00\x18", 16);
	/* application_layer_protocol_negotiation: h2, http/1.1 */
	p_bytes(v, "\x00\x10\x00\x0e\x00\x0c\x02h2\x08http/1.1", 18);
	/* encrypt_then_mac, extended_master_secret */
	p_bytes(v, "\x00\x16\x00\x00\x00\x17\x00\x00", 8);
	/* signature_algorithms */
	p_bytes(v, "\x00\x0d\x00\x0a\x00\x08\x04\x03\x08\x04\x04\x01\x05\x03",
		14);
	/* supported_versions: TLS 1.3, 1.2 */
	p_bytes(v, "\x00\x2b\x00\x05\x04\x03\x04\x03\x03", 9);
	/* psk_key_exchange_modes: psk_dhe_ke */
	p_bytes(v, "\x00\x2d\x00\x02\x01\x01", 6);
	/* key_share: x25519 */
	p_bytes(v, "\x00\x33\x00\x26\x00\x24\x00\x1d\x00\x20", 10);
	p_rand(v, 32);
	p_len_fill(v, ext, 2);
	p_len_fill(v, hs, 3);
	p_len_fill(v, rec, 2);
}

/*
 * QUIC v1 Initial (RFC 9000 §17.2.2): long header C3 (Initial, 4-byte
 * packet number), version 1, DCID 8 bytes, empty SCID and token, 2-byte
 * length, then protected bytes; padded to 1200 bytes as clients must.
 */
static void p_quic_initial(struct vec_spec *v)
{
	size_t rest;

	p_u8(v, 0xc3);
	p_be32(v, 0x00000001);
	p_u8(v, 8);
	p_rand(v, 8);
	p_u8(v, 0);			/* SCID length */
	p_u8(v, 0);			/* token length */
	rest = 1200 - v->payload_len - 2;
	p_be16(v, 0x4000 | rest);	/* 2-byte varint */
	p_rand(v, rest);
}

/* ---- the table ---------------------------------------------------------- */

#define UDP	IPPROTO_UDP
#define TCP	IPPROTO_TCP

#define R(sym)	P2PG_R_##sym

static const char *const pppp_psks[] = {
	"SSD@cs2-network.", "camera", "SHIX", "vstarcam2018",
};

static void build_pppp(void)
{
	struct vec_spec *v;
	size_t i;

	/* Plain PPPP (pppp.fdesc) to an Internet host on a random port. */
	v = vnew("pppp-hello", "198.51.100.7", UDP, 41234, R(PPPP));
	p_pppp(v, PPPP_HELLO, 0);
	vdup(v, "v6", "2001:db8::7");
	v = vnew("pppp-hello-32100", "198.51.100.8", UDP, 32100, R(PPPP));
	p_pppp(v, PPPP_HELLO, 0);
	v = vnew("pppp-dev-lgn", "198.51.100.9", UDP, 32100, R(PPPP));
	p_pppp(v, PPPP_DEV_LGN, 0);
	vdup(v, "v6", "2001:db8::9");
	v = vnew("pppp-dev-lgn-crc", "192.0.2.10", UDP, 32100, R(PPPP));
	p_pppp(v, PPPP_DEV_LGN_CRC, 0);
	v = vnew("pppp-p2p-req", "192.0.2.11", UDP, 45111, R(PPPP));
	p_pppp(v, PPPP_P2P_REQ, 0);
	v = vnew("pppp-punch-pkt", "198.51.100.12", UDP, 51234, R(PPPP));
	p_pppp(v, PPPP_PUNCH_PKT, 0);
	vdup(v, "v6", "2001:db8:12::1");
	v = vnew("pppp-drw", "198.51.100.13", UDP, 23456, R(PPPP));
	p_pppp(v, PPPP_DRW, 120);
	/* A video DRW longer than the 512-byte window: the length is meta. */
	v = vnew("pppp-drw-1200", "198.51.100.13", UDP, 23456, R(PPPP));
	p_pppp(v, PPPP_DRW, 1192);
	v = vnew("pppp-alive", "192.0.2.14", UDP, 60001, R(PPPP));
	p_pppp(v, PPPP_ALIVE, 0);

	/* Scrambled with each default PSK (pppp_dissect.lua, A9_PPPP pppp.js). */
	for (i = 0; i < sizeof(pppp_psks) / sizeof(pppp_psks[0]); i++) {
		char name[VEC_NAME_MAX];

		snprintf(name, sizeof(name), "pppp-scr-%s-hello", pppp_psks[i]);
		v = vnew(name, "198.51.100.20", UDP, 42000 + i,
			 R(PPPP_SCRAMBLED));
		p_pppp_scrambled(v, pppp_psks[i], PPPP_HELLO, 0);
		if (i == 0)
			vdup(v, "v6", "2001:db8::20");
		snprintf(name, sizeof(name), "pppp-scr-%s-dev-lgn",
			 pppp_psks[i]);
		v = vnew(name, "192.0.2.21", UDP, 32100, R(PPPP_SCRAMBLED));
		p_pppp_scrambled(v, pppp_psks[i], PPPP_DEV_LGN, 0);
		snprintf(name, sizeof(name), "pppp-scr-%s-punch", pppp_psks[i]);
		v = vnew(name, "198.51.100.22", UDP, 50505, R(PPPP_SCRAMBLED));
		p_pppp_scrambled(v, pppp_psks[i], PPPP_PUNCH_PKT, 0);
	}
	v = vnew("pppp-scr-SSD-dev-lgn-crc", "192.0.2.23", UDP, 32100,
		 R(PPPP_SCRAMBLED));
	p_pppp_scrambled(v, "SSD@cs2-network.", PPPP_DEV_LGN_CRC, 0);
	v = vnew("pppp-scr-SSD-p2p-req", "192.0.2.24", UDP, 32100,
		 R(PPPP_SCRAMBLED));
	p_pppp_scrambled(v, "SSD@cs2-network.", PPPP_P2P_REQ, 0);
	v = vnew("pppp-scr-vstarcam2018-drw", "198.51.100.25", UDP, 33333,
		 R(PPPP_SCRAMBLED));
	p_pppp_scrambled(v, "vstarcam2018", PPPP_DRW, 200);
	vdup(v, "v6", "2001:db8::25");

	/* iLnkP2P's own messages (palant.info, the PPPP overview). */
	v = vnew("ilnk-dev-lv-hb", "198.51.100.30", UDP, 32100, R(ILNK));
	p_bytes(v, "\xa1\x00\x00\x14", 4);
	p_pppp_uid(v, "BATC");
	vdup(v, "v6", "2001:db8::30");
	v = vnew("ilnk-dev-slp-hb", "198.51.100.31", UDP, 32100, R(ILNK));
	p_bytes(v, "\xa1\x01\x00\x14", 4);
	p_pppp_uid(v, "BATD");
	v = vnew("ilnk-svr-req", "198.51.100.32", UDP, 32100, R(ILNK));
	p_bytes(v, "\xf2\x10\x00\x00", 4);
	/* iLnk HELLO_TO_ACK, 28-byte body (libprotoident Foscam f1 83 00 1c) */
	v = vnew("ilnk-hello-to-ack", "192.0.2.33", UDP, 40404, R(PPPP));
	p_bytes(v, "\xf1\x83\x00\x1c", 4);
	p_rand(v, 28);

	/* The SDK's own LAN discovery stays allowed (pmarrapese/iot lansearch). */
	v = vnew("pppp-lan-search-bcast", "255.255.255.255", UDP, 32108,
		 R(NONE));
	p_pppp(v, PPPP_LAN_SEARCH, 0);
	v = vnew("pppp-scr-camera-lan-search", "192.168.1.255", UDP, 32108,
		 R(NONE));
	p_pppp_scrambled(v, "camera", PPPP_LAN_SEARCH, 0);
	/* PPPP to LAN and loopback peers is not Internet P2P. */
	v = vnew("pppp-hello-lan", "192.168.1.30", UDP, 32100, R(NONE));
	p_pppp(v, PPPP_HELLO, 0);
	vdup(v, "v6", "fe80::1234");
	v = vnew("pppp-hello-loopback", "127.0.0.1", UDP, 32100, R(NONE));
	p_pppp(v, PPPP_HELLO, 0);
	vdup(v, "v6", "::1");

	/*
	 * Non-first fragments carry no UDP header; the program cannot see
	 * ports or payload and lets them pass (the first fragment is judged).
	 */
	v = vnew("pppp-drw-fragment", "198.51.100.13", UDP, 0, R(NONE));
	v->flags = VEC_FRAGMENT;
	p_pppp(v, PPPP_DRW, 300);
	vdup(v, "v6", "2001:db8::13");
	v = vnew("pppp-drw-fragment-ext", "2001:db8::14", UDP, 0, R(NONE));
	v->flags = VEC_FRAGMENT | VEC_IPV6_EXT;
	p_pppp(v, PPPP_DRW, 300);
}

static void build_tutk(void)
{
	struct vec_spec *v;

	/* Client -> server GetRemoteIP (v0x19, 112 B) to UDP 10001. */
	v = vnew("tutk-get-remote-ip", "198.51.100.40", UDP, 10001, R(TUTK));
	p_tutk(v, 0x19, 0x02, 0x0203, 0x0034, 96, 1);
	vdup(v, "v6", "2001:db8::40");
	/* Camera keepalive 0x0428 (v0x12, 24 B) on a random port. */
	v = vnew("tutk-ping", "192.0.2.41", UDP, 47001, R(TUTK));
	p_tutk(v, 0x12, 0x0a, 0x0428, 0x0012, 8, 0);
	/* Data message (v0x1A, mode 0x0B), body not a multiple of 16. */
	v = vnew("tutk-data", "198.51.100.42", UDP, 61000, R(TUTK));
	p_tutk(v, 0x1a, 0x0b, 0x0407, 0x0021, 203, 0);
	vdup(v, "v6", "2001:db8::42");
	/* LAN discovery 0x0601 (v0x19, 68 B) to UDP 32761: stays allowed. */
	v = vnew("tutk-lan-disco", "192.168.1.255", UDP, 32761, R(NONE));
	p_tutk(v, 0x19, 0x02, 0x0601, 0x0021, 52, 1);
}

static void build_reolink_dahua_gwell(void)
{
	struct vec_spec *v;
	size_t i;

	/* Reolink BcUdp (neolink): UID lookup to p2p*.reolink.com:9999. */
	v = vnew("reolink-discovery", "198.51.100.50", UDP, 9999, R(REOLINK));
	p_reolink_disc(v, 180);
	vdup(v, "v6", "2001:db8::50");
	/* ACK: magic, conn id, 0, group, packet, rate, payload size. */
	v = vnew("reolink-ack", "192.0.2.51", UDP, 53612, R(REOLINK));
	p_le32(v, 0x2a87cf20);
	p_le32(v, 0x1234);
	p_le32(v, 0);
	p_le32(v, 0);
	p_le32(v, 17);
	p_le32(v, 0);
	p_le32(v, 0);
	/* Data: magic, conn id, 0, packet id, payload size, Baichuan frame. */
	v = vnew("reolink-data", "192.0.2.52", UDP, 53613, R(REOLINK));
	p_le32(v, 0x2a87cf10);
	p_le32(v, 0x1234);
	p_le32(v, 0);
	p_le32(v, 18);
	p_le32(v, 100);
	p_bytes(v, "\xf0\xde\xbc\x0a", 4);
	p_rand(v, 96);
	/* C2D_S LAN broadcast stays allowed. */
	v = vnew("reolink-c2d-bcast", "255.255.255.255", UDP, 2015, R(NONE));
	p_reolink_disc(v, 120);

	/* Dahua (khoanguyen-3fc/dh-p2p): HTTP-like text over UDP 8800. */
	v = vnew("dahua-dhget", "198.51.100.60", UDP, 8800, R(DAHUA));
	p_str(v, "DHGET /probe/p2psrv HTTP/1.1\r\n"
		 "CSeq: 1\r\n"
		 "Authorization: WSSE profile=\"UsernameToken\"\r\n"
		 "X-WSSE: UsernameToken Username=\"P2PClient\", "
		 "PasswordDigest=\"");
	p_alnum(v, 28);
	p_str(v, "\", Nonce=\"");
	p_alnum(v, 10);
	p_str(v, "\", Created=\"2024-05-01T12:00:00Z\"\r\n\r\n");
	vdup(v, "v6", "2001:db8::60");
	v = vdup(v, "port", "198.51.100.61");
	v->dport = 38888;
	v = vnew("dahua-dhpost", "198.51.100.62", UDP, 8800, R(DAHUA));
	{
		char body[160];

		snprintf(body, sizeof(body), "<body><DevAuth>%s</DevAuth>"
			 "<Identify>4E8C2A</Identify></body>",
			 "q1pD2m0xYk3vS9bC");
		p_str(v, "DHPOST /online/p2psrv/7B0A2C4PAZ12345 HTTP/1.1\r\n"
			 "CSeq: 2\r\n"
			 "Authorization: WSSE profile=\"UsernameToken\"\r\n"
			 "Content-Type: application/xml\r\n");
		p_str(v, "Content-Length: ");
		{
			char n[16];

			snprintf(n, sizeof(n), "%zu\r\n\r\n", strlen(body));
			p_str(v, n);
		}
		p_str(v, body);
	}
	/* PTCP SYN: "PTCP", BE32 sent/recv/pid/lmid/rmid, body 00 03 01 00. */
	v = vnew("dahua-ptcp-syn", "192.0.2.63", UDP, 45678, R(DAHUA));
	p_str(v, "PTCP");
	p_be32(v, 0);
	p_be32(v, 0);
	p_be32(v, 0x0002ffff);
	p_be32(v, vec_rand());
	p_be32(v, 0);
	p_bytes(v, "\x00\x03\x01\x00", 4);
	vdup(v, "v6", "2001:db8::63");
	/* Inverted STUN: every byte 255 - b of a 44-byte Binding Request. */
	v = vnew("dahua-inverted-stun", "198.51.100.64", UDP, 3478, R(DAHUA));
	p_stun44(v);
	for (i = 0; i < v->payload_len; i++)
		v->payload[i] = 255 - v->payload[i];
	vdup(v, "v6", "2001:db8::64");

	/* Gwell GUTES (hacky-wyze-gwell): 7F <subtype> <LE16 total> + 20 bytes. */
	v = vnew("gwell-list-req", "198.51.100.70", UDP, 51701, R(GWELL));
	p_bytes(v, "\x7f\x15\x28\x00", 4);
	p_rand(v, 12);			/* session words */
	p_rand(v, 4);			/* XOR checksum */
	p_le32(v, 0);			/* opt_flags: plain */
	p_rand(v, 16);
	vdup(v, "v6", "2001:db8::70");
	v = vnew("gwell-detect-req2", "192.0.2.71", UDP, 28800, R(GWELL));
	p_bytes(v, "\x7f\x01\x44\x00", 4);
	p_rand(v, 64);
	v = vnew("gwell-certify-enc", "192.0.2.72", UDP, 8000, R(GWELL));
	p_bytes(v, "\x7e\x0c\xa4\x00", 4);
	p_rand(v, 160);
}

static void build_stun(void)
{
	struct vec_spec *v;

	v = vnew("stun-binding", "198.51.100.80", UDP, 3478, R(STUN));
	p_stun_binding(v);
	vdup(v, "v6", "2001:db8::80");
	v = vnew("stun-binding-port", "192.0.2.81", UDP, 19302, R(STUN));
	p_stun_binding(v);
	v = vnew("stun-rfc5769", "198.51.100.82", UDP, 3478, R(STUN));
	p_bytes(v, rfc5769_request, sizeof(rfc5769_request));
	vdup(v, "v6", "2001:db8::82");
	v = vnew("stun-44", "192.0.2.83", UDP, 55555, R(STUN));
	p_stun44(v);
	/* TURN over TCP: bare and RFC 4571 length-prefixed. */
	v = vnew("stun-tcp", "198.51.100.84", TCP, 3478, R(STUN));
	p_bytes(v, rfc5769_request, sizeof(rfc5769_request));
	v = vnew("stun-tcp-rfc4571", "198.51.100.85", TCP, 443, R(STUN));
	p_be16(v, sizeof(rfc5769_request));
	p_bytes(v, rfc5769_request, sizeof(rfc5769_request));
	vdup(v, "v6", "2001:db8::85");
	/* Extension headers are walked to the UDP header. */
	v = vnew("stun-binding-ext", "2001:db8::86", UDP, 3478, R(STUN));
	v->flags = VEC_IPV6_EXT;
	p_stun_binding(v);
	/* STUN inside the LAN or to loopback is not Internet P2P. */
	v = vnew("stun-binding-lan", "192.168.1.30", UDP, 3478, R(NONE));
	p_stun_binding(v);
	vdup(v, "loopback-v6", "::1");
}

static const char *xm_cfg_json =
	"{\"CfgProtocol\":{\"Body\":{\"AuthCode\":\"4e2a9c61\","
	"\"OemID\":\"General\",\"SerialNumber\":\"8a4c1e02b7d3f956\"},"
	"\"Header\":{\"CSeq\":\"1\",\"MessageType\":\"MSG_DSS_CFG_QUERY_REQ\","
	"\"Version\":\"1.0\"}}}";

static const char *xm_dss_json =
	"{\"DssProtocol\":{\"Header\":{\"Version\":\"1.0\",\"CSeq\":\"1\","
	"\"MessageType\":\"MSG_DEV_REGISTER_REQ\"},\"Body\":{"
	"\"SerialNumber\":\"8a4c1e02b7d3f956\",\"Channel\":1,"
	"\"AuthCode\":\"4e2a9c61\"}}}";

static void build_tcp_cloud(void)
{
	struct vec_spec *v;

	/* Xiongmai (numenworld-ipcam): TCP 8086 to pub-cfg, access-dss.secu100.net */
	v = vnew("xiongmai-cfg", "198.51.100.90", TCP, 8086, R(XIONGMAI));
	p_xm_post(v, "pub-cfg.secu100.net:8086", xm_cfg_json);
	vdup(v, "v6", "2001:db8::90");
	v = vnew("xiongmai-dss", "198.51.100.91", TCP, 8086, R(XIONGMAI));
	p_xm_post(v, "access-dss.secu100.net", xm_dss_json);
	/* Dahua's text and PTCP also ride TCP. */
	v = vnew("dahua-dhget-tcp", "192.0.2.92", TCP, 8800, R(DAHUA));
	p_str(v, "DHGET /probe/device/7B0A2C4PAZ12345 HTTP/1.1\r\n"
		 "CSeq: 5\r\n\r\n");

	/* Ordinary HTTP and TLS to the Internet. */
	v = vnew("http-get-firmware", "198.51.100.95", TCP, 80, R(NONE));
	p_str(v, "GET /firmware/ipc_v5.2.1.bin HTTP/1.1\r\n"
		 "Host: fw.example.com\r\n"
		 "User-Agent: Wget/1.21.3\r\n"
		 "Accept: */*\r\n"
		 "Connection: close\r\n\r\n");
	vdup(v, "v6", "2001:db8::95");
	v = vnew("tls13-client-hello", "198.51.100.96", TCP, 443, R(NONE));
	p_tls_client_hello(v, "example.com");
	vdup(v, "v6", "2001:db8::96");
	v = vnew("quic-initial", "198.51.100.97", UDP, 443, R(NONE));
	p_quic_initial(v);
	vdup(v, "v6", "2001:db8::97");
	/* NTP client request (RFC 5905): LI 0, VN 4, mode 3. */
	v = vnew("ntp-client", "192.0.2.123", UDP, 123, R(NONE));
	p_bytes(v, "\x23\x00\x0a\x00", 4);
	p_zero(v, 36);
	p_be32(v, 0xe9f0a2b1);		/* transmit timestamp */
	p_rand(v, 4);
	vdup(v, "v6", "2001:db8::123");
}

static void build_rdv_ports(void)
{
	static const __u16 ports[] = { 32100, 10001, 51701, 8800, 9999 };
	struct vec_spec *v;
	size_t i;

	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		char name[VEC_NAME_MAX];

		snprintf(name, sizeof(name), "rdv-port-%u-random", ports[i]);
		v = vnew(name, "192.0.2.100", UDP, ports[i], R(RDV_PORT));
		p_rand(v, 64);
		if (i == 0)
			vdup(v, "v6", "2001:db8::100");
	}
}

static void build_dns(void)
{
	struct vec_spec *v;

	/* Deny-listed names, whatever the resolver (TUTK's, signatures.rst). */
	v = vnew("dns-m1-iotcplatform", "192.0.2.53", UDP, 53, R(DNS_NAME));
	p_dns(v, 0x1c2d, "m1.iotcplatform.com", 1, 0);
	vdup(v, "v6", "2001:db8::53");
	v = vnew("dns-iotcplatform-lan", "192.168.1.1", UDP, 53, R(DNS_NAME));
	p_dns(v, 0x2b3c, "iotcplatform.com", 1, 1);
	vdup(v, "v6", "fe80::1");
	v = vnew("dns-reolink-upper-loopback", "127.0.0.53", UDP, 53,
		 R(DNS_NAME));
	p_dns(v, 0x3a4b, "P2P3.REOLINK.COM", 1, 0);
	vdup(v, "v6", "::1");
	v = vnew("dns-tutk-master-aaaa", "192.0.2.53", UDP, 53, R(DNS_NAME));
	p_dns(v, 0x4958, "cn-c-master-tutk.iotcplatform.com", 28, 1);
	v = vnew("dns-easy4ip", "198.51.100.53", UDP, 53, R(DNS_NAME));
	p_dns(v, 0x5867, "www.easy4ipcloud.com", 1, 0);
	v = vnew("dns-secu100", "192.168.1.1", UDP, 53, R(DNS_NAME));
	p_dns(v, 0x6776, "pub-cfg.secu100.net", 1, 1);
	v = vnew("dns-cloudlinks", "192.0.2.53", UDP, 53, R(DNS_NAME));
	p_dns(v, 0x7685, "list.iotvideo.cloudlinks.cn", 1, 0);
	/* DNS over TCP: BE16 length first. */
	v = vnew("dns-tcp-m2-iotcplatform", "192.0.2.53", TCP, 53, R(DNS_NAME));
	p_dns(v, 0x1d2e, "m2.iotcplatform.com", 1, 1);
	vdup(v, "v6", "2001:db8::53");
	v = vnew("dns-tcp-kalay-lan", "192.168.1.1", TCP, 53, R(DNS_NAME));
	p_dns(v, 0x1e2f, "kalayservice.com", 1, 0);
	/* Queries through an IPv6 extension header chain. */
	v = vnew("dns-p2p-reolink-ext", "2001:db8::5353", UDP, 53, R(DNS_NAME));
	v->flags = VEC_IPV6_EXT;
	p_dns(v, 0x1f30, "p2p.reolink.com", 28, 0);

	/* Names that are not deny-listed. */
	v = vnew("dns-example", "192.0.2.53", UDP, 53, R(NONE));
	p_dns(v, 0x2c3d, "example.com", 1, 1);
	vdup(v, "v6", "2001:db8::53");
	v = vnew("dns-xiotcplatform", "192.0.2.53", UDP, 53, R(NONE));
	p_dns(v, 0x2d3e, "xiotcplatform.com", 1, 0);
	v = vnew("dns-iotcplatform-as-label", "192.0.2.53", UDP, 53, R(NONE));
	p_dns(v, 0x2e3f, "iotcplatform.com.evil.test", 1, 0);
	v = vnew("dns-reolink-parent", "192.168.1.1", UDP, 53, R(NONE));
	p_dns(v, 0x2f40, "reolink.com", 1, 0);
	v = vnew("dns-tcp-example", "192.0.2.53", TCP, 53, R(NONE));
	p_dns(v, 0x3041, "www.example.com", 28, 0);
}

static const char *ssdp_fmt =
	"M-SEARCH * HTTP/1.1\r\n"
	"HOST: %s:1900\r\n"
	"ST: %s\r\n"
	"MAN: \"ssdp:discover\"\r\n"
	"MX: 2\r\n"
	"\r\n";

static void p_ssdp(struct vec_spec *v, const char *host, const char *st)
{
	char m[512];

	snprintf(m, sizeof(m), ssdp_fmt, host, st);
	p_str(v, m);
}

static void build_router(void)
{
	struct vec_spec *v;

	/* SSDP searches for a gateway (miniupnpc MSearchMsgFmt). */
	v = vnew("ssdp-igd", "239.255.255.250", UDP, 1900, R(UPNP_IGD));
	p_ssdp(v, "239.255.255.250",
	       "urn:schemas-upnp-org:device:InternetGatewayDevice:1");
	v = vnew("ssdp-igd-v6", "ff02::c", UDP, 1900, R(UPNP_IGD));
	p_ssdp(v, "[FF02::C]",
	       "urn:schemas-upnp-org:device:InternetGatewayDevice:1");
	v = vnew("ssdp-wanip", "239.255.255.250", UDP, 1900, R(UPNP_IGD));
	p_ssdp(v, "239.255.255.250",
	       "urn:schemas-upnp-org:service:WANIPConnection:1");
	v = vnew("ssdp-wanppp", "239.255.255.250", UDP, 1900, R(UPNP_IGD));
	p_ssdp(v, "239.255.255.250",
	       "urn:schemas-upnp-org:service:WANPPPConnection:1");
	v = vnew("ssdp-wanip-lowercase", "239.255.255.250", UDP, 1900,
		 R(UPNP_IGD));
	p_str(v, "M-SEARCH * HTTP/1.1\r\n"
		 "host: 239.255.255.250:1900\r\n"
		 "man: \"ssdp:discover\"\r\n"
		 "mx: 3\r\n"
		 "st:urn:schemas-upnp-org:service:WANIPConnection:2\r\n\r\n");
	/* Real non-IGD M-SEARCH (nDPI ssdp-m-search-ua.pcap): allowed. */
	v = vnew("ssdp-dial", "239.255.255.250", UDP, 1900, R(NONE));
	p_str(v, "M-SEARCH * HTTP/1.1\r\n"
		 "HOST: 239.255.255.250:1900\r\n"
		 "MAN: \"ssdp:discover\"\r\n"
		 "MX: 1\r\n"
		 "ST: urn:dial-multiscreen-org:service:dial:1\r\n"
		 "USER-AGENT: Google Chrome/99.0.4844.74 Mac OS X\r\n\r\n");
	v = vnew("ssdp-all", "239.255.255.250", UDP, 1900, R(NONE));
	p_ssdp(v, "239.255.255.250", "ssdp:all");

	/* SOAP to the router's control URL. */
	v = vnew("upnp-add-port-mapping", "192.168.1.1", TCP, 5000,
		 R(UPNP_MAP));
	p_soap(v, "192.168.1.1", "WANIPConnection:1", "AddPortMapping",
	       add_mapping_args);
	v = vnew("upnp-add-any-port-mapping", "192.168.1.1", TCP, 5000,
		 R(UPNP_MAP));
	p_soap(v, "192.168.1.1", "WANIPConnection:2", "AddAnyPortMapping",
	       add_mapping_args);
	v = vnew("upnp-add-pinhole", "fe80::1", TCP, 5000, R(UPNP_MAP));
	p_soap(v, "[fe80::1]", "WANIPv6FirewallControl:1", "AddPinhole",
	       "<RemoteHost></RemoteHost><RemotePort>0</RemotePort>"
	       "<InternalClient>fe80::10</InternalClient>"
	       "<InternalPort>32100</InternalPort><Protocol>17</Protocol>"
	       "<LeaseTime>3600</LeaseTime>");
	v = vnew("upnp-get-external-ip", "192.168.1.1", TCP, 5000, R(NONE));
	p_soap(v, "192.168.1.1", "WANIPConnection:1", "GetExternalIPAddress",
	       "");

	/* NAT-PMP (RFC 6886) and PCP (RFC 6887) to the gateway. */
	v = vnew("natpmp-map-udp", "192.168.1.1", UDP, 5351, R(NATPMP));
	p_bytes(v, "\x00\x01\x00\x00", 4);
	p_be16(v, 32100);
	p_be16(v, 32100);
	p_be32(v, 7200);
	v = vnew("natpmp-ext-addr", "192.168.1.1", UDP, 5351, R(NATPMP));
	p_bytes(v, "\x00\x00", 2);
	v = vnew("pcp-map", "192.168.1.1", UDP, 5351, R(NATPMP));
	p_bytes(v, "\x02\x01\x00\x00", 4);
	p_be32(v, 7200);
	p_bytes(v, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff"
		"\xc0\xa8\x01\x0a", 16);	/* ::ffff:192.168.1.10 */
	p_rand(v, 12);			/* mapping nonce */
	p_u8(v, 17);
	p_zero(v, 3);
	p_be16(v, 32100);
	p_be16(v, 32100);
	p_bytes(v, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff"
		"\x00\x00\x00\x00", 16);
	vdup(v, "v6", "fe80::1");
}

static void build_lan(void)
{
	struct vec_spec *v;

	/* ONVIF WS-Discovery Probe (UDP 3702). */
	v = vnew("onvif-ws-discovery", "239.255.255.250", UDP, 3702, R(NONE));
	p_str(v, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		 "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\" "
		 "xmlns:w=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
		 "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" "
		 "xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\">"
		 "<e:Header><w:MessageID>uuid:84ede3de-7dec-11d0-c360-f01234567890"
		 "</w:MessageID><w:To e:mustUnderstand=\"true\">"
		 "urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>"
		 "<w:Action e:mustUnderstand=\"true\">"
		 "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe"
		 "</w:Action></e:Header><e:Body><d:Probe><d:Types>"
		 "dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body>"
		 "</e:Envelope>");
	vdup(v, "v6", "ff02::c");
	/* mDNS query (RFC 6762): id 0, PTR _onvif._tcp.local, QU. */
	v = vnew("mdns-query", "224.0.0.251", UDP, 5353, R(NONE));
	v->sport = 5353;
	p_dns(v, 0, "_onvif._tcp.local", 12, 0);
	vdup(v, "v6", "ff02::fb");
	/* RTSP and RTP with a LAN client. */
	v = vnew("rtsp-options", "192.168.1.20", TCP, 554, R(NONE));
	p_str(v, "OPTIONS rtsp://192.168.1.20:554/stream1 RTSP/1.0\r\n"
		 "CSeq: 2\r\nUser-Agent: LibVLC/3.0.18\r\n\r\n");
	v = vnew("rtsp-reply", "192.168.1.20", TCP, 50712, R(NONE));
	v->sport = 554;
	p_str(v, "RTSP/1.0 200 OK\r\nCSeq: 2\r\n"
		 "Public: OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY\r\n\r\n");
	vdup(v, "v6", "fe80::20");
	v = vnew("rtp-h264", "192.168.1.20", UDP, 50000, R(NONE));
	v->sport = 6970;
	p_bytes(v, "\x80\x60", 2);	/* V=2, PT 96 */
	p_be16(v, 4242);
	p_be32(v, 0x12345678);
	p_be32(v, 0xdecafbad);
	p_bytes(v, "\x7c\x85", 2);	/* FU-A, IDR start */
	p_rand(v, 1000);
	/* The same stream to a viewer on the Internet (a relay's address). */
	v = vnew("rtp-h264-wan", "198.51.100.7", UDP, 50000, R(NONE));
	v->sport = 6970;
	p_bytes(v, "\x80\x60", 2);
	p_be16(v, 4243);
	p_be32(v, 0x12345a78);
	p_be32(v, 0xdecafbad);
	p_bytes(v, "\x7c\x45", 2);	/* FU-A, IDR end */
	p_rand(v, 1000);
	vdup(v, "v6", "2001:db8::7");
	/* Tuya LAN broadcast (nDPI tuya_lp.c): 00 00 55 AA ... 00 00 AA 55, 188 B. */
	v = vnew("tuya-lan-bcast", "255.255.255.255", UDP, 6667, R(NONE));
	p_bytes(v, "\x00\x00\x55\xaa", 4);
	p_be32(v, 0);
	p_be32(v, 0x13);
	p_be32(v, 172);
	p_rand(v, 164);
	p_rand(v, 4);			/* CRC */
	p_bytes(v, "\x00\x00\xaa\x55", 4);
	/* ICMP has no ports; echo to the Internet passes. */
	v = vnew("icmp-echo", "198.51.100.1", IPPROTO_ICMP, 0, R(NONE));
	p_bytes(v, "\x08\x00\x00\x00", 4);
	p_be16(v, 0x4242);
	p_be16(v, 1);
	p_rand(v, 56);
	v = vnew("icmpv6-echo", "2001:db8::1", IPPROTO_ICMPV6, 0, R(NONE));
	p_bytes(v, "\x80\x00\x00\x00", 4);
	p_be16(v, 0x4242);
	p_be16(v, 1);
	p_rand(v, 56);
}

/* ---- TCP streams -------------------------------------------------------- */

#define VEC_STREAMS_MAX	48

static struct vec_stream streams[VEC_STREAMS_MAX];
static size_t n_streams;

static struct vec_stream *snew(const char *name, const char *addr,
			       __u16 dport, int p2p_on)
{
	struct vec_stream *s;

	if (n_streams >= VEC_STREAMS_MAX) {
		fprintf(stderr, "vectors: raise VEC_STREAMS_MAX\n");
		abort();
	}
	s = &streams[n_streams++];
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->p2p_on = p2p_on;
	s->conn.name = name;
	s->conn.l4proto = IPPROTO_TCP;
	s->conn.dport = dport;
	s->conn.sport = 40000 + (n_streams * 7919) % 20000;
	vec_set_addr(&s->conn, addr);
	return s;
}

/* Append @t's payload to the stream; return the stream's new length. */
static size_t sput(struct vec_stream *s, const struct vec_spec *t)
{
	memcpy(p_room(&s->conn, t->payload_len), t->payload, t->payload_len);
	return s->conn.payload_len;
}

static size_t sput_str(struct vec_stream *s, const char *str)
{
	p_str(&s->conn, str);
	return s->conn.payload_len;
}

static void sseg(struct vec_stream *s, size_t off, size_t len,
		 unsigned int expect, __u8 flags)
{
	struct vec_seg *g;

	if (s->n_seg >= VEC_STREAM_SEGS || off + len > s->conn.payload_len) {
		fprintf(stderr, "vectors: %s: bad segment\n", s->name);
		abort();
	}
	g = &s->seg[s->n_seg++];
	g->off = off;
	g->len = len;
	g->expect = expect;
	g->flags = flags;
}

/* A scratch packet for the payload builders above. */
static struct vec_spec *tmp_spec(void)
{
	static struct vec_spec t;

	memset(&t, 0, sizeof(t));
	t.name = "stream-part";
	t.l4proto = IPPROTO_TCP;
	return &t;
}

/* Offset just past the first "\r\n\r\n" of @t's payload. */
static size_t hdr_end(const struct vec_spec *t)
{
	size_t i;

	for (i = 0; i + 4 <= t->payload_len; i++)
		if (!memcmp(t->payload + i, "\r\n\r\n", 4))
			return i + 4;
	abort();
}

static const char http_get_long[] =
	"GET /rootDesc.xml HTTP/1.1\r\n"
	"Host: 192.168.1.1:5000\r\n"
	"User-Agent: Linux/5.10 UPnP/1.1 MiniUPnPc/2.2.4\r\n"
	"Accept: text/xml, application/xml;q=0.9, */*;q=0.5\r\n"
	"Accept-Language: en-US,en;q=0.8\r\n"
	"Cache-Control: no-cache\r\n"
	"Pragma: no-cache\r\n"
	"Connection: keep-alive\r\n"
	"X-Padding: 0123456789abcdef0123456789abcdef0123456789abcdef\r\n\r\n";

static void build_streams(void)
{
	struct vec_stream *s;
	struct vec_spec *t;
	size_t a, b, c, i;

	/* STUN after a harmless first write on the same connection. */
	s = snew("stun-after-write", "198.51.100.140", 3478, 0);
	a = sput_str(s, "HELLO 1\r\n");
	t = tmp_spec();
	p_stun_binding(t);
	b = sput(s, t);
	c = sput_str(s, "more\r\n");
	sseg(s, 0, a, R(NONE), 0);
	sseg(s, a, b - a, R(STUN), 0);
	sseg(s, a, b - a, R(STUN), 0);		/* TCP sends it again */
	sseg(s, b, c - b, R(STUN), 0);		/* sticky */

	/* STUN written one byte per segment (TCP_NODELAY). */
	s = snew("stun-byte-per-segment", "198.51.100.141", 443, 0);
	t = tmp_spec();
	p_stun_binding(t);
	b = sput(s, t);
	for (i = 0; i + 1 < b; i++)
		sseg(s, i, 1, R(NONE), 0);
	sseg(s, b - 1, 1, R(STUN), 0);
	sseg(s, b - 1, 1, R(STUN), 0);

	/* An HTTP POST whose header and body are separate writes. */
	s = snew("xiongmai-body-apart", "198.51.100.142", 8086, 0);
	t = tmp_spec();
	p_xm_post(t, "pub-cfg.secu100.net:8086", xm_cfg_json);
	a = hdr_end(t);
	b = sput(s, t);
	sseg(s, 0, a, R(NONE), 0);
	sseg(s, a, b - a, R(XIONGMAI), 0);

	/* GET, then SOAP AddPortMapping, kept alive, to the LAN router. */
	s = snew("upnp-keepalive-add", "192.168.1.1", 5000, 0);
	a = sput_str(s, http_get_long);
	t = tmp_spec();
	p_soap(t, "192.168.1.1:5000", "WANIPConnection:1", "AddPortMapping",
	       add_mapping_args);
	b = sput(s, t);
	sseg(s, 0, a, R(NONE), 0);
	sseg(s, a, b - a, R(UPNP_MAP), 0);
	sseg(s, a, b - a, R(UPNP_MAP), 0);
	/* The same with a short GET, and the SOAP headers in two writes. */
	s = snew("upnp-keepalive-add-split", "192.168.1.1", 5000, 0);
	a = sput_str(s, "GET /rootDesc.xml HTTP/1.1\r\nHost: 192.168.1.1\r\n\r\n");
	b = sput(s, t);
	sseg(s, 0, a, R(NONE), 0);
	sseg(s, a, 40, R(NONE), 0);
	sseg(s, a + 40, b - a - 40, R(UPNP_MAP), 0);
	/* Ordinary requests on a kept-alive connection to the router. */
	s = snew("upnp-keepalive-ordinary", "192.168.1.1", 5000, 0);
	a = sput_str(s, http_get_long);
	t = tmp_spec();
	p_soap(t, "192.168.1.1:5000", "WANIPConnection:1",
	       "GetExternalIPAddress", "");
	b = sput(s, t);
	c = sput_str(s, http_get_long);
	sseg(s, 0, a, R(NONE), 0);
	sseg(s, a, b - a, R(NONE), 0);
	sseg(s, b, c - b, R(NONE), 0);

	/* Opened while P2P was on: past the bound, then STUN, P2P off. */
	s = snew("switch-off-stun", "198.51.100.143", 3478, 1);
	a = sput_str(s, http_get_long);
	t = tmp_spec();
	p_stun_binding(t);
	b = sput(s, t);
	sseg(s, 0, a, R(NONE), 0);
	sseg(s, a, b - a, R(STUN), VSEG_SWITCH);
	/* Within the bound. */
	s = snew("switch-off-stun-short", "198.51.100.144", 3478, 1);
	a = sput_str(s, "HELLO 1\r\n");
	b = sput(s, t);
	sseg(s, 0, a, R(NONE), 0);
	sseg(s, a, b - a, R(STUN), VSEG_SWITCH);
	/* STUN while P2P was on: the reason stays when it goes off. */
	s = snew("switch-off-sticky", "198.51.100.145", 3478, 1);
	b = sput(s, t);
	c = sput_str(s, "more\r\n");
	sseg(s, 0, b, R(STUN), 0);
	sseg(s, b, c - b, R(STUN), VSEG_SWITCH);

	/* CS2 PPPP over TCP, any port. */
	s = snew("pppp-tcp-hello", "198.51.100.146", 8000, 0);
	t = tmp_spec();
	p_pppp(t, PPPP_HELLO, 0);
	b = sput(s, t);
	sseg(s, 0, b, R(PPPP), 0);
	s = snew("pppp-tcp-dev-lgn-bytes", "198.51.100.147", 8000, 0);
	t = tmp_spec();
	p_pppp(t, PPPP_DEV_LGN, 0);
	b = sput(s, t);
	sseg(s, 0, 1, R(NONE), 0);
	sseg(s, 1, 1, R(NONE), 0);
	sseg(s, 2, 2, R(NONE), 0);
	sseg(s, 4, 20, R(NONE), 0);
	sseg(s, 24, b - 24, R(PPPP), 0);
	sseg(s, 24, b - 24, R(PPPP), 0);
	s = snew("pppp-tcp-after-write", "198.51.100.148", 8000, 0);
	a = sput_str(s, "HELLO 1\r\n");
	b = sput(s, t);
	sseg(s, 0, a, R(NONE), 0);
	sseg(s, a, b - a, R(PPPP), 0);
	s = snew("pppp-tcp-scrambled", "198.51.100.149", 443, 0);
	t = tmp_spec();
	p_pppp_scrambled(t, "SSD@cs2-network.", PPPP_DEV_LGN, 0);
	b = sput(s, t);
	sseg(s, 0, b, R(PPPP_SCRAMBLED), 0);
	/* TCP to CS2's server port: whatever it carries. */
	s = snew("pppp-tcp-32100", "198.51.100.150", 32100, 0);
	b = sput_str(s, "HELLO 1\r\n");
	sseg(s, 0, b, R(RDV_PORT), 0);

	/* DNS over TCP. */
	s = snew("dns-tcp-length-apart", "192.0.2.53", 53, 0);
	t = tmp_spec();
	p_dns(t, 0x3a01, "m1.iotcplatform.com", 1, 0);
	b = sput(s, t);
	sseg(s, 0, 2, R(NONE), 0);
	sseg(s, 2, b - 2, R(DNS_NAME), 0);
	sseg(s, 2, b - 2, R(DNS_NAME), 0);
	s = snew("dns-tcp-second-message", "192.0.2.53", 53, 0);
	t = tmp_spec();
	p_dns(t, 0x3a02, "example.com", 1, 0);
	a = sput(s, t);
	t = tmp_spec();
	p_dns(t, 0x3a03, "kalay.net.cn", 1, 1);
	b = sput(s, t);
	sseg(s, 0, b, R(DNS_NAME), 0);
	s = snew("dns-tcp-split-name", "192.168.1.1", 53, 0);
	t = tmp_spec();
	p_dns(t, 0x3a04, "m2.iotcplatform.com", 1, 0);
	b = sput(s, t);
	sseg(s, 0, 20, R(NONE), 0);
	sseg(s, 20, b - 20, R(DNS_NAME), 0);
	s = snew("dns-tcp-third-segment", "192.0.2.53", 53, 0);
	t = tmp_spec();
	p_dns(t, 0x3a05, "example.com", 1, 0);
	a = sput(s, t);
	t = tmp_spec();
	p_dns(t, 0x3a06, "example.net", 28, 1);
	c = sput(s, t);
	t = tmp_spec();
	p_dns(t, 0x3a07, "easy4ipcloud.com", 1, 0);
	b = sput(s, t);
	sseg(s, 0, a, R(NONE), 0);
	sseg(s, a, c - a, R(NONE), 0);
	sseg(s, c, b - c, R(DNS_NAME), 0);
	s = snew("dns-tcp-ordinary", "192.0.2.53", 53, 0);
	t = tmp_spec();
	p_dns(t, 0x3a08, "example.com", 1, 1);
	a = sput(s, t);
	t = tmp_spec();
	p_dns(t, 0x3a09, "ntp.example.org", 28, 0);
	c = sput(s, t);
	t = tmp_spec();
	p_dns(t, 0x3a0a, "fw.example.net", 1, 0);
	b = sput(s, t);
	sseg(s, 0, a, R(NONE), 0);
	sseg(s, a, 2, R(NONE), 0);
	sseg(s, a + 2, c - a - 2, R(NONE), 0);
	sseg(s, a, c - a, R(NONE), 0);		/* a retransmission */
	sseg(s, c, b - c, R(NONE), 0);

	/* Retransmissions and duplicates of a STUN request's parts. */
	s = snew("retransmit-then-stun", "198.51.100.151", 5349, 0);
	t = tmp_spec();
	p_stun_binding(t);
	b = sput(s, t);
	c = sput_str(s, "more\r\n");
	sseg(s, 0, 8, R(NONE), 0);
	sseg(s, 0, 8, R(NONE), 0);		/* a duplicate */
	sseg(s, 8, 4, R(NONE), 0);
	sseg(s, 0, 14, R(NONE), 0);		/* all again, and 2 more */
	sseg(s, 8, 6, R(NONE), 0);		/* a duplicate */
	sseg(s, 14, b - 14, R(STUN), 0);
	sseg(s, 14, b - 14, R(STUN), 0);
	sseg(s, b, c - b, R(STUN), 0);

	/* Ordinary TCP: HTTP to the Internet, an upload, RTSP to the LAN. */
	s = snew("http-get-stream", "198.51.100.152", 80, 0);
	b = sput(s, vec_find("http-get-firmware"));
	sseg(s, 0, b, R(NONE), 0);
	s = snew("upload-stream", "198.51.100.153", 80, 0);
	a = sput_str(s, "POST /upload/clip.mp4 HTTP/1.1\r\n"
			"Host: upload.example.com\r\n"
			"Content-Type: video/mp4\r\n"
			"Content-Length: 1200\r\n\r\n");
	for (i = 0; s->conn.payload_len < 1300; i++)
		p_u8(&s->conn, "\x00\x00\x00\x18" "ftypmp42"[i % 12] ^ (i >> 4));
	b = s->conn.payload_len;
	sseg(s, 0, a, R(NONE), 0);
	for (i = a; i < b; i += 100)
		sseg(s, i, i + 100 < b ? 100 : b - i, R(NONE), 0);
	s = snew("rtsp-lan-session", "192.168.1.20", 554, 0);
	a = sput(s, vec_find("rtsp-options"));
	b = sput_str(s, "DESCRIBE rtsp://192.168.1.20/stream1 RTSP/1.0\r\n"
			"CSeq: 3\r\nAccept: application/sdp\r\n\r\n");
	c = sput_str(s, "SETUP rtsp://192.168.1.20/stream1/track1 RTSP/1.0\r\n"
			"CSeq: 4\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n");
	sseg(s, 0, a, R(NONE), 0);
	sseg(s, a, b - a, R(NONE), 0);
	sseg(s, b, c - b, R(NONE), 0);
}

const struct vec_stream *vec_streams(size_t *n)
{
	size_t m;

	vec_all(&m);
	if (!n_streams)
		build_streams();
	*n = n_streams;
	return streams;
}

void vec_stream_seg(const struct vec_stream *s, size_t i,
		    struct vec_spec *out)
{
	const struct vec_seg *g = &s->seg[i];

	*out = s->conn;
	memcpy(out->payload, s->conn.payload + g->off, g->len);
	out->payload_len = g->len;
	out->expect = g->expect;
	out->tcp_seq = VEC_ISN + g->off;
}

/* A DNS query of several questions (RFC 1035 allows QDCOUNT > 1). */
static void p_dns_multi(struct vec_spec *v, __u16 id, const char *const *names,
			size_t n)
{
	size_t i;

	p_be16(v, id);
	p_be16(v, 0x0100);		/* standard query, RD */
	p_be16(v, n);
	p_be16(v, 0);
	p_be16(v, 0);
	p_be16(v, 0);
	for (i = 0; i < n; i++) {
		p_dns_name(v, names[i]);
		p_be16(v, 1);		/* A */
		p_be16(v, 1);		/* IN */
	}
}

/* A label of 63 bytes, the longest (RFC 1035). */
#define VEC_LABEL63 \
	"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk"

/*
 * A query whose first question's name is a compression pointer, then
 * @name: the classifier reads no question after one it cannot read.
 */
static void p_dns_pointer(struct vec_spec *v, __u16 id, const char *name)
{
	p_be16(v, id);
	p_be16(v, 0x0100);		/* standard query, RD */
	p_be16(v, 2);
	p_be16(v, 0);
	p_be16(v, 0);
	p_be16(v, 0);
	p_be16(v, 0xc00c);		/* pointer to offset 12 */
	p_be16(v, 1);
	p_be16(v, 1);
	p_dns_name(v, name);
	p_be16(v, 1);
	p_be16(v, 1);
}

/*
 * Classic STUN (RFC 3489 §11.1) Binding Request as the Vovida "stun"
 * client sends it: 16-byte transaction id, no magic cookie; with
 * @change a CHANGE-REQUEST attribute (its tests II and III).
 */
static void p_stun3489(struct vec_spec *v, int change)
{
	p_be16(v, 0x0001);
	p_be16(v, change ? 8 : 0);
	p_rand(v, 16);
	if (change) {
		p_be16(v, 0x0003);	/* CHANGE-REQUEST */
		p_be16(v, 4);
		p_be32(v, 0x00000006);	/* change IP and port */
	}
}

/*
 * What issue 14 found passing: UDP-Lite, classic STUN, DNS questions
 * after the first and to other ports, UDP GSO sends, and packets the
 * parser cannot judge whole (which fail closed to the Internet).
 */
static void build_datagram_shapes(void)
{
	static const char *const q_second[] = {
		"www.example.com", "m1.iotcplatform.com",
	};
	static const char *const q_clean[] = {
		"www.example.com", "ntp.example.org",
	};
	static const char *const q_five[] = {
		"a.example.com", "b.example.com", "c.example.com",
		"d.example.com", "e.example.com",
	};
	static const char *const q_fourth[] = {
		"a.example.com", "b.example.com", "c.example.com",
		"tutk.iotcplatform.com",
	};
	/* 255 bytes in wire form (P2PG_DNS_NAME_MAX), then one more. */
	static const char name_255[] =
		VEC_LABEL63 "." VEC_LABEL63 "." VEC_LABEL63 "."
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.iotcplatform.com";
	static const char name_256[] =
		VEC_LABEL63 "." VEC_LABEL63 "." VEC_LABEL63 "."
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.iotcplatform.com";
	struct vec_spec *v;
	size_t i;

	/* UDP-Lite (RFC 3828) is UDP's header with a checksum coverage. */
	v = vnew("udplite-pppp-hello", "198.51.100.140", 136, 32100, R(PPPP));
	p_pppp(v, PPPP_HELLO, 0);
	vdup(v, "v6", "2001:db8::140");
	v = vnew("udplite-random", "198.51.100.141", 136, 4433, R(NONE));
	p_rand(v, 200);

	/* Classic STUN (RFC 3489): no cookie, strict length and attributes. */
	v = vnew("stun3489-binding", "198.51.100.142", UDP, 3478, R(STUN));
	p_stun3489(v, 0);
	vdup(v, "v6", "2001:db8::142");
	v = vnew("stun3489-change-request", "192.0.2.143", UDP, 3479,
		 R(STUN));
	p_stun3489(v, 1);
	/* An attribute RFC 3489 does not know: not classic STUN. */
	v = vnew("stun3489-unknown-attr", "192.0.2.144", UDP, 3478, R(NONE));
	p_be16(v, 0x0001);
	p_be16(v, 8);
	p_rand(v, 16);
	p_be16(v, 0x7a7a);
	p_be16(v, 4);
	p_be32(v, 0);
	/* The length field must be the payload's. */
	v = vnew("stun3489-bad-length", "192.0.2.145", UDP, 3478, R(NONE));
	p_be16(v, 0x0001);
	p_be16(v, 12);
	p_rand(v, 16);
	p_be16(v, 0x0003);
	p_be16(v, 4);
	p_be32(v, 0);
	v = vnew("stun3489-binding-lan", "192.168.1.31", UDP, 3478, R(NONE));
	p_stun3489(v, 1);

	/* DNS: every question, and any port by a strict parse. */
	v = vnew("dns-second-question", "192.0.2.53", UDP, 53, R(DNS_NAME));
	p_dns_multi(v, 0x4142, q_second, 2);
	vdup(v, "v6", "2001:db8::53");
	v = vnew("dns-two-clean-questions", "192.0.2.53", UDP, 53, R(NONE));
	p_dns_multi(v, 0x4243, q_clean, 2);
	v = vnew("dns-five-questions", "192.0.2.53", UDP, 53, R(UNJUDGED));
	p_dns_multi(v, 0x4344, q_five, 5);
	v = vnew("dns-five-questions-lan", "192.168.1.1", UDP, 53, R(NONE));
	p_dns_multi(v, 0x4445, q_five, 5);
	v = vnew("dns-port5300", "198.51.100.54", UDP, 5300, R(DNS_NAME));
	p_dns(v, 0x4546, "p2p.iotcplatform.com", 1, 0);
	vdup(v, "v6", "2001:db8::54");
	v = vnew("dns-port5300-edns", "198.51.100.54", UDP, 5300, R(DNS_NAME));
	p_dns(v, 0x4647, "P2P3.Reolink.Com", 28, 1);
	v = vnew("dns-port5300-second", "198.51.100.54", UDP, 5300,
		 R(DNS_NAME));
	p_dns_multi(v, 0x4748, q_second, 2);
	v = vnew("dns-port5300-example", "198.51.100.54", UDP, 5300, R(NONE));
	p_dns(v, 0x4849, "www.example.com", 1, 1);
	/* A listed name in a message that is not a strict query: not DNS. */
	v = vnew("dns-port5300-trailing", "198.51.100.54", UDP, 5300,
		 R(NONE));
	p_dns(v, 0x494a, "p2p.iotcplatform.com", 1, 0);
	p_rand(v, 3);

	/* Edges of p2pg_dns()'s walk: the last question, the longest names. */
	v = vnew("dns-fourth-question", "192.0.2.53", UDP, 53, R(DNS_NAME));
	p_dns_multi(v, 0x4a4b, q_fourth, 4);
	v = vnew("dns-name-255", "192.0.2.53", UDP, 53, R(DNS_NAME));
	p_dns(v, 0x4b4c, name_255, 1, 0);
	v = vnew("dns-name-256", "192.0.2.53", UDP, 53, R(UNJUDGED));
	p_dns(v, 0x4c4d, name_256, 1, 0);
	v = vnew("dns-name-256-lan", "192.168.1.1", UDP, 53, R(NONE));
	p_dns(v, 0x4d4e, name_256, 1, 0);
	/* A compression pointer: that question and those after it unread. */
	v = vnew("dns-pointer-then-listed", "192.0.2.53", UDP, 53,
		 R(UNJUDGED));
	p_dns_pointer(v, 0x4e4f, "p2p.iotcplatform.com");
	v = vnew("dns-pointer-then-listed-lan", "192.168.1.1", UDP, 53,
		 R(NONE));
	p_dns_pointer(v, 0x4f50, "p2p.iotcplatform.com");
	/*
	 * Over TCP a message's length does not bound its question: a length
	 * of 12 puts the next message inside the name, which is read whole.
	 */
	v = vnew("dns-tcp-question-across", "192.0.2.53", TCP, 53,
		 R(DNS_NAME));
	p_be16(v, 12);
	p_dns_multi(v, 0x5051, q_fourth + 3, 1);
	v = vnew("dns-tcp-question-across-clean", "192.0.2.53", TCP, 53,
		 R(NONE));
	p_be16(v, 12);
	p_dns_multi(v, 0x5152, q_fourth, 1);

	/* Fail closed: what the parser cannot judge whole, to the Internet. */
	v = vnew("frag-first-tiny", "198.51.100.150", UDP, 32100,
		 R(UNJUDGED));
	v->flags = VEC_FIRST_FRAG;
	v->frag_keep = 0;
	p_pppp(v, PPPP_HELLO, 0);
	vdup(v, "v6", "2001:db8::150");
	v = vnew("frag-first-short", "198.51.100.151", UDP, 4433,
		 R(UNJUDGED));
	v->flags = VEC_FIRST_FRAG;
	v->frag_keep = 24;
	p_rand(v, 1200);
	v = vnew("frag-first-tiny-lan", "192.168.1.32", UDP, 32100, R(NONE));
	v->flags = VEC_FIRST_FRAG;
	v->frag_keep = 0;
	p_pppp(v, PPPP_HELLO, 0);
	/* A first fragment with the window whole is judged as the datagram. */
	v = vnew("frag-first-drw", "198.51.100.152", UDP, 32100, R(PPPP));
	v->flags = VEC_FIRST_FRAG;
	v->frag_keep = 1000;
	p_pppp(v, PPPP_DRW, 1200);
	v = vnew("ipv6-ext-many", "2001:db8::153", UDP, 4433, R(UNJUDGED));
	v->flags = VEC_IPV6_EXT_MANY;
	p_rand(v, 64);
	v = vnew("ipv6-ext-many-lan", "fe80::153", UDP, 4433, R(NONE));
	v->flags = VEC_IPV6_EXT_MANY;
	p_rand(v, 64);

	/* UDP GSO: each segment is the datagram the peer receives. */
	v = vnew("gso-quic", "198.51.100.160", UDP, 443, R(NONE));
	v->gso = 200;
	for (i = 0; i < 6; i++) {
		p_u8(v, 0x40 | (vec_rand() & 0x3f));	/* QUIC short header */
		p_rand(v, i < 5 ? 199 : 77);
	}
	vdup(v, "v6", "2001:db8::160");
	v = vnew("gso-pppp-first", "198.51.100.161", UDP, 4433, R(PPPP));
	v->gso = 24;
	p_pppp(v, PPPP_DRW, 16);	/* a 24-byte DRW */
	p_rand(v, 40);
	v = vnew("gso-pppp-second", "198.51.100.162", UDP, 4433, R(PPPP));
	v->gso = 24;
	p_rand(v, 24);
	p_pppp(v, PPPP_DRW, 16);
	p_rand(v, 24);
	vdup(v, "v6", "2001:db8::162");
	v = vnew("gso-pppp-last", "198.51.100.163", UDP, 4433, R(PPPP));
	v->gso = 100;
	p_rand(v, 300);
	p_pppp(v, PPPP_HELLO, 0);	/* a last, shorter segment */
	v = vnew("gso-stun-third", "198.51.100.164", UDP, 4433, R(STUN));
	v->gso = 20;
	p_rand(v, 40);
	p_stun_binding(v);
	v = vnew("gso-stun3489-second", "198.51.100.165", UDP, 4433, R(STUN));
	v->gso = 28;
	p_rand(v, 28);
	p_stun3489(v, 1);
	v = vnew("gso-dns-second", "198.51.100.166", UDP, 5300, R(DNS_NAME));
	v->gso = 40;
	p_rand(v, 40);
	p_dns(v, 0x4a4b, "m1.iotcplatform.com", 1, 0);	/* 37 bytes */
	/*
	 * Segments whose head cannot decide (DNS to any port): four are
	 * judged through the window, the fifth makes the send unjudgeable
	 * (P2PG_GSO_WINDOWS_MAX).  34-byte queries: 16-character names.
	 */
	v = vnew("gso-dns-fourth-window", "198.51.100.167", UDP, 5300,
		 R(DNS_NAME));
	v->gso = 34;
	p_dns(v, 0x5001, "cam1.example.net", 1, 0);
	p_dns(v, 0x5002, "cam2.example.net", 1, 0);
	p_dns(v, 0x5003, "cam3.example.net", 1, 0);
	p_dns(v, 0x5004, "iotcplatform.com", 1, 0);
	v = vnew("gso-dns-fifth-window", "198.51.100.168", UDP, 5300,
		 R(UNJUDGED));
	v->gso = 34;
	p_dns(v, 0x5101, "cam1.example.net", 1, 0);
	p_dns(v, 0x5102, "cam2.example.net", 1, 0);
	p_dns(v, 0x5103, "cam3.example.net", 1, 0);
	p_dns(v, 0x5104, "cam4.example.net", 1, 0);
	p_dns(v, 0x5105, "cam5.example.net", 1, 0);
	v = vnew("gso-pppp-lan", "192.168.1.33", UDP, 32100, R(NONE));
	v->gso = 24;
	p_rand(v, 24);
	p_pppp(v, PPPP_DRW, 16);
}

const struct vec_spec *vec_all(size_t *n)
{
	if (!n_vecs) {
		build_pppp();
		build_tutk();
		build_reolink_dahua_gwell();
		build_stun();
		build_tcp_cloud();
		build_rdv_ports();
		build_dns();
		build_router();
		build_lan();
		build_datagram_shapes();
	}
	*n = n_vecs;
	return vecs;
}

const struct vec_spec *vec_find(const char *name)
{
	const struct vec_spec *v;
	size_t n, i;

	v = vec_all(&n);
	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	fprintf(stderr, "no test vector named %s\n", name);
	exit(2);
}

/* ---- frames ------------------------------------------------------------- */

static __u32 csum_add(__u32 sum, const __u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (__u32)p[n - 1] << 8;
	return sum;
}

static __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

__u16 vec_l4_csum(int family, const __u8 *saddr, const __u8 *daddr,
		  __u8 proto, const __u8 *l4, size_t len)
{
	size_t alen = family == 4 ? 4 : 16;
	__u32 sum = csum_add(csum_add(0, saddr, alen), daddr, alen);
	__u16 c;

	/* Pseudo-header: addresses, protocol, length. */
	c = csum_fold(csum_add(sum + proto + len, l4, len));
	return c == 0 && proto == IPPROTO_UDP ? 0xffff : c;
}

__u32 vec_hash(const void *p, size_t n)
{
	const __u8 *b = p;
	__u32 h = 2166136261u;

	while (n--)
		h = (h ^ *b++) * 16777619u;
	return h;
}

static void put_be16(__u8 *p, __u16 x)
{
	p[0] = x >> 8;
	p[1] = x;
}

static void put_be32(__u8 *p, __u32 x)
{
	put_be16(p, x >> 16);
	put_be16(p + 2, x);
}

/* The camera's own address: LAN, link-local or loopback to match. */
static void vec_saddr(const struct vec_spec *v, __u8 *s)
{
	if (v->family == 4) {
		if (v->daddr[0] == 127)
			inet_pton(AF_INET, "127.0.0.1", s);
		else
			inet_pton(AF_INET, "192.168.1.10", s);
		return;
	}
	if (!memcmp(v->daddr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16))
		inet_pton(AF_INET6, "::1", s);
	else if ((v->daddr[0] == 0xfe && (v->daddr[1] & 0xc0) == 0x80) ||
		 v->daddr[0] == 0xff)
		inet_pton(AF_INET6, "fe80::10", s);
	else
		inet_pton(AF_INET6, "2001:db8:1::10", s);
}

/**
 * vec_frame() - the vector as an Ethernet frame.
 * @v:   packet.
 * @buf: VEC_FRAME_MAX bytes.
 *
 * IPv4: IHL 5, DF, correct total length and header checksum; a fragment
 * has offset 1480.  IPv6: VEC_IPV6_EXT puts hop-by-hop and destination
 * options headers (8 bytes each, PadN) before the transport,
 * VEC_IPV6_EXT_MANY seven destination options headers;
 * VEC_FRAGMENT a fragment header with offset 1480.  UDP, UDP-Lite
 * (checksum coverage 0: the whole datagram) and TCP (doff 5, ACK|PSH) get
 * correct lengths and checksums; a non-first fragment and any other
 * protocol carry the payload with no transport header.  VEC_FIRST_FRAG
 * makes a first fragment (MF set, offset 0) that ends after frag_keep
 * payload bytes, its UDP length still the whole datagram's.
 *
 * Return: frame length.
 */
size_t vec_frame(const struct vec_spec *v, __u8 *buf)
{
	int udp = v->l4proto == IPPROTO_UDP || v->l4proto == 136;
	int l4hdr = !(v->flags & VEC_FRAGMENT) &&
		    (udp || v->l4proto == IPPROTO_TCP);
	size_t l4len = (l4hdr ? (udp ? 8 : 20) : 0) + v->payload_len;
	/* What the frame carries of it: a first fragment ends early. */
	size_t cut = (v->flags & VEC_FIRST_FRAG) ?
		     l4len - v->payload_len + v->frag_keep : l4len;
	__u8 saddr[16] = { 0 }, *ip = buf + 14, *l4;
	__u32 sum = 0;
	size_t iplen;

	memcpy(buf, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	vec_saddr(v, saddr);
	if (v->family == 4) {
		__u16 frag = (v->flags & VEC_FRAGMENT) ? 1480 / 8 :
			     (v->flags & VEC_FIRST_FRAG) ? 0x2000 : 0x4000;

		put_be16(buf + 12, 0x0800);
		iplen = 20;
		memset(ip, 0, 20);
		ip[0] = 0x45;
		put_be16(ip + 2, iplen + cut);
		put_be16(ip + 4, 0x1000 + (v->sport & 0xfff));
		put_be16(ip + 6, frag);
		ip[8] = 64;
		ip[9] = v->l4proto;
		memcpy(ip + 12, saddr, 4);
		memcpy(ip + 16, v->daddr, 4);
		put_be16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		sum = csum_add(0, ip + 12, 8);
	} else {
		__u8 *nh = ip + 6;

		put_be16(buf + 12, 0x86dd);
		memset(ip, 0, 40);
		ip[0] = 0x60;
		ip[7] = 64;
		memcpy(ip + 8, saddr, 16);
		memcpy(ip + 24, v->daddr, 16);
		iplen = 40;
		if (v->flags & VEC_IPV6_EXT) {
			/* hop-by-hop, then destination options: PadN(4). */
			static const __u8 opts[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };

			*nh = 0;		/* IPPROTO_HOPOPTS */
			memcpy(ip + iplen, opts, 8);
			nh = ip + iplen;
			iplen += 8;
			*nh = 60;		/* IPPROTO_DSTOPTS */
			memcpy(ip + iplen, opts, 8);
			nh = ip + iplen;
			iplen += 8;
		}
		if (v->flags & VEC_IPV6_EXT_MANY) {
			static const __u8 opts[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };
			int k;

			for (k = 0; k < 7; k++) {
				*nh = 60;	/* IPPROTO_DSTOPTS */
				memcpy(ip + iplen, opts, 8);
				nh = ip + iplen;
				iplen += 8;
			}
		}
		if (v->flags & (VEC_FRAGMENT | VEC_FIRST_FRAG)) {
			__u8 *f = ip + iplen;

			*nh = 44;		/* IPPROTO_FRAGMENT */
			memset(f, 0, 8);
			/* offset 185, M = 0; or offset 0, M = 1 */
			put_be16(f + 2, (v->flags & VEC_FRAGMENT) ? 1480 : 1);
			f[4] = 0x12;
			f[7] = 0x34;
			nh = f;
			iplen += 8;
		}
		*nh = v->l4proto;
		put_be16(ip + 4, iplen - 40 + cut);
		sum = csum_add(0, ip + 8, 32);
	}
	l4 = ip + iplen;
	if (l4hdr && udp) {
		put_be16(l4, v->sport);
		put_be16(l4 + 2, v->dport);
		put_be16(l4 + 4, v->l4proto == IPPROTO_UDP ? l4len : 0);
		put_be16(l4 + 6, 0);
		memcpy(l4 + 8, v->payload, v->payload_len);
	} else if (l4hdr) {
		memset(l4, 0, 20);
		put_be16(l4, v->sport);
		put_be16(l4 + 2, v->dport);
		put_be32(l4 + 4, v->tcp_seq ? v->tcp_seq : VEC_ISN);
		put_be16(l4 + 10, 0x2000);	/* ack */
		l4[12] = 5 << 4;
		l4[13] = 0x18;			/* ACK | PSH */
		put_be16(l4 + 14, 64240);
		memcpy(l4 + 20, v->payload, v->payload_len);
	} else {
		memcpy(l4, v->payload, v->payload_len);
	}
	if (l4hdr) {
		/* Pseudo-header: addresses, protocol, length. */
		__u16 c;

		sum += v->l4proto + l4len;
		c = csum_fold(csum_add(sum, l4, l4len));
		if (v->l4proto == IPPROTO_UDP && c == 0)
			c = 0xffff;
		put_be16(l4 + (udp ? 6 : 16), c);
	}
	return 14 + iplen + cut;
}
