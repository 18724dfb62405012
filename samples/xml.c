/* xml.so: a sample plugin wrapping libxml2, a third-party parser with a long
 * CVE history. Runs inside a locked caisson worker; its request path makes no
 * system call but memory management and futex, so the strict default groups
 * suffice. Answers the document's Canonical XML 1.0 form (without comments),
 * which doubles as a well-formedness check. Prefix xmlp_ (libxml2 owns xml). */
#include <iconv.h>
#include <libxml/c14n.h>
#include <libxml/catalog.h>
#include <libxml/parser.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlerror.h>
#include <stdio.h>
#include <string.h>

#include "caisson_plugin.h"

/* No XML_PARSE_NOENT: entities are never substituted into the tree, so a
 * document that references its own entities parses but is refused by C14N,
 * which is defined on the expanded document; entity bombs are refused by the
 * parser's own amplification check ("Detected an entity reference loop"). No
 * DTDLOAD/DTDVALID/DTDATTR: no external subset, no external entity is ever
 * fetched (the loader below refuses them anyway). No HUGE: libxml2's default
 * size and entity-amplification limits stay on. No NOBLANKS: whitespace is
 * content and a canonical form must not depend on a guess about it. */
#define XMLP_PARSE_OPTIONS (XML_PARSE_NONET)

/* First error of the current request, one line: "line N: message" from the
 * parser, "canonicalisation: message" from C14N. */
static char xmlp_error[256];

static void xmlp_on_error(void *ctx, xmlErrorPtr e)
{
	size_t n;

	if (xmlp_error[0] || e->level < XML_ERR_ERROR)
		return;
	if (e->domain == XML_FROM_C14N)
		snprintf(xmlp_error, sizeof(xmlp_error), "canonicalisation: %s",
			 e->message ? e->message : "unknown error");
	else
		snprintf(xmlp_error, sizeof(xmlp_error), "line %d: %s", e->line,
			 e->message ? e->message : "unknown error");
	/* libxml2 splits some messages over lines; the answer's error is one. */
	for (char *c = xmlp_error; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	n = strlen(xmlp_error);
	while (n && xmlp_error[n - 1] == ' ')
		xmlp_error[--n] = '\0';
}

static void xmlp_silent(void *ctx, const char *msg, ...)
{
}

static xmlParserInputPtr xmlp_no_entities(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	return NULL;
}

/* glibc reads its gconv module configuration once per process, on the first
 * iconv_open. Doing that here, under the init filter, keeps requests free of
 * file access: the worker has no gconv files, so a document declaring, say,
 * ISO-8859-2 later falls through to libxml2's ICU converters (tables inside
 * libicudata, already mapped) instead of an open() that the run filter kills. */
static void xmlp_warm_iconv(void)
{
	iconv_t cd = iconv_open("UTF-8", "ISO-8859-2");

	if (cd != (iconv_t)-1)
		iconv_close(cd);
}

/* Every setting is process-wide and is made before the run filter is sealed. */
int caisson_plugin_init(const char *const *args)
{
	if (args && args[0]) {
		fprintf(stderr, "xml: takes no arguments (got '%s')\n", args[0]);
		return 1;
	}
	xmlInitParser();
	xmlCatalogSetDefaults(XML_CATA_ALLOW_NONE);
	xmlSetExternalEntityLoader(xmlp_no_entities);
	xmlSetGenericErrorFunc(NULL, xmlp_silent);
	xmlSetStructuredErrorFunc(NULL, xmlp_on_error);
	xmlp_warm_iconv();
	return 0;
}

static int xmlp_fail(caisson_out *out, const char *fallback)
{
	caisson_out_error(out, xmlp_error[0] ? xmlp_error : fallback);
	return 1;
}

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	xmlDocPtr doc = NULL;
	xmlChar *c14n = NULL;
	int n, rc = 1;

	xmlp_error[0] = '\0';
	if (len == 0 || len > INT32_MAX) {
		caisson_out_error(out, len ? "document too large" : "empty document");
		goto out;
	}
	doc = xmlReadMemory((const char *)in, (int)len, NULL, NULL, XMLP_PARSE_OPTIONS);
	/* Namespace errors leave a document behind; they still fail the request. */
	if (!doc || xmlp_error[0]) {
		rc = xmlp_fail(out, "not well-formed");
		goto out;
	}
	n = xmlC14NDocDumpMemory(doc, NULL, XML_C14N_1_0, NULL, 0, &c14n);
	if (n < 0) {
		rc = xmlp_fail(out, "canonicalisation failed");
		goto out;
	}
	if (caisson_out_write(out, c14n, (size_t)n) < 0) {
		caisson_out_error(out, "output limit reached");
		goto out;
	}
	rc = 0;
out:
	xmlFree(c14n);
	xmlFreeDoc(doc);
	return rc;
}
