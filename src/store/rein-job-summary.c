/* rein-job-summary.c: one job as the market lists it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rein-job-summary.h"

/* A name longer than this is cut for lists (the document keeps it all). */
#define MAX_LINE_CHARS 200

struct _ReinJobSummary
{
  GObject parent_instance;

  gint64 id;
  gchar *job_id;
  gchar *creator_key;
  gboolean testnet;
  gchar *name;
  gchar *category;
  gchar *description;
  gchar *creator;
  gchar *creator_contact;
  gchar *mediator;
  gchar *mediator_contact;
  gchar *mediator_key;
  gchar *mediator_fee;
  gint mediator_fee_basis;
  ReinJobState state;
  guint n_bids;
  gchar *bidders;
  gint64 first_seen;
};

G_DEFINE_FINAL_TYPE (ReinJobSummary, rein_job_summary, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_JOB_ID,
  PROP_CREATOR_KEY,
  PROP_TESTNET,
  PROP_NAME,
  PROP_CATEGORY,
  PROP_DESCRIPTION,
  PROP_CREATOR,
  PROP_CREATOR_CONTACT,
  PROP_MEDIATOR,
  PROP_MEDIATOR_CONTACT,
  PROP_MEDIATOR_KEY,
  PROP_MEDIATOR_FEE,
  PROP_MEDIATOR_FEE_BASIS,
  PROP_STATE,
  PROP_OPEN,
  PROP_N_BIDS,
  PROP_FIRST_SEEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
rein_job_summary_finalize (GObject *object)
{
  ReinJobSummary *self = (ReinJobSummary *) object;

  g_free (self->job_id);
  g_ref_string_release (self->creator_key);
  g_free (self->name);
  g_ref_string_release (self->category);
  g_free (self->description);
  g_ref_string_release (self->creator);
  g_ref_string_release (self->creator_contact);
  g_ref_string_release (self->mediator);
  g_ref_string_release (self->mediator_contact);
  g_ref_string_release (self->mediator_key);
  g_ref_string_release (self->mediator_fee);
  g_free (self->bidders);

  G_OBJECT_CLASS (rein_job_summary_parent_class)->finalize (object);
}

static void
rein_job_summary_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ReinJobSummary *self = REIN_JOB_SUMMARY (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_JOB_ID:
      g_value_set_string (value, self->job_id);
      break;
    case PROP_CREATOR_KEY:
      g_value_set_string (value, self->creator_key);
      break;
    case PROP_TESTNET:
      g_value_set_boolean (value, self->testnet);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_CATEGORY:
      g_value_set_string (value, self->category);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_CREATOR:
      g_value_set_string (value, self->creator);
      break;
    case PROP_CREATOR_CONTACT:
      g_value_set_string (value, self->creator_contact);
      break;
    case PROP_MEDIATOR:
      g_value_set_string (value, self->mediator);
      break;
    case PROP_MEDIATOR_CONTACT:
      g_value_set_string (value, self->mediator_contact);
      break;
    case PROP_MEDIATOR_KEY:
      g_value_set_string (value, self->mediator_key);
      break;
    case PROP_MEDIATOR_FEE:
      g_value_set_string (value, self->mediator_fee);
      break;
    case PROP_MEDIATOR_FEE_BASIS:
      g_value_set_int (value, self->mediator_fee_basis);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_OPEN:
      g_value_set_boolean (value, rein_job_summary_get_open (self));
      break;
    case PROP_N_BIDS:
      g_value_set_uint (value, self->n_bids);
      break;
    case PROP_FIRST_SEEN:
      g_value_set_int64 (value, self->first_seen);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
string_property (const gchar *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static void
rein_job_summary_class_init (ReinJobSummaryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = rein_job_summary_finalize;
  object_class->get_property = rein_job_summary_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_JOB_ID] = string_property ("job-id");
  properties[PROP_CREATOR_KEY] = string_property ("creator-key");
  properties[PROP_TESTNET] = g_param_spec_boolean ("testnet", NULL, NULL, FALSE, flags);
  properties[PROP_NAME] = string_property ("name");
  properties[PROP_CATEGORY] = string_property ("category");
  properties[PROP_DESCRIPTION] = string_property ("description");
  properties[PROP_CREATOR] = string_property ("creator");
  properties[PROP_CREATOR_CONTACT] = string_property ("creator-contact");
  properties[PROP_MEDIATOR] = string_property ("mediator");
  properties[PROP_MEDIATOR_CONTACT] = string_property ("mediator-contact");
  properties[PROP_MEDIATOR_KEY] = string_property ("mediator-key");
  properties[PROP_MEDIATOR_FEE] = string_property ("mediator-fee");
  properties[PROP_MEDIATOR_FEE_BASIS] =
    g_param_spec_int ("mediator-fee-basis", NULL, NULL, -1, G_MAXINT, -1, flags);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, REIN_TYPE_JOB_STATE,
                                              REIN_JOB_STATE_NONE, flags);
  properties[PROP_OPEN] = g_param_spec_boolean ("open", NULL, NULL, FALSE, flags);
  properties[PROP_N_BIDS] = g_param_spec_uint ("n-bids", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_FIRST_SEEN] =
    g_param_spec_int64 ("first-seen", NULL, NULL, 0, G_MAXINT64, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rein_job_summary_init (ReinJobSummary *self)
{
  self->mediator_fee_basis = -1;
}

/* Explicit direction overrides and isolates: in a one-line label they
 * turn the rest of the row around (a name that shows as another). */
static gboolean
is_bidi_control (gunichar c)
{
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

typedef enum
{
  DISPLAY_LINE = 0,
  DISPLAY_MULTILINE = 1 << 0,
  /* a person as rein_person_format() made it: its isolates (FSI ... PDI)
   * stay, balanced, at most one level deep */
  DISPLAY_PERSON = 1 << 1,
} DisplayFlags;

#define FSI 0x2068
#define PDI 0x2069

/* Text from a document is shown in one-line labels: control characters
 * become spaces, direction overrides are dropped, and runaway lengths are
 * cut. Newlines stay only with DISPLAY_MULTILINE. */
static gchar *
display_text (const gchar *text, DisplayFlags flags)
{
  gboolean multiline = (flags & DISPLAY_MULTILINE) != 0;
  g_autofree gchar *valid = NULL;
  GString *out;
  guint chars = 0;
  gboolean isolated = FALSE;
  const gchar *p;

  if (text == NULL)
    return g_strdup ("");
  /* Printable ASCII (and, in several lines, line feeds and tabs) within
   * the length stays as it is: most text is, and the market reads 100,000
   * summaries at start. */
  for (p = text; *p != '\0'; p++)
    if (((guchar) *p < 0x20 || (guchar) *p >= 0x7f)
        && !(multiline && (*p == '\n' || *p == '\t')))
      break;
  if (*p == '\0' && (multiline || p - text <= MAX_LINE_CHARS))
    return g_strndup (text, p - text);
  valid = g_utf8_make_valid (text, -1);
  out = g_string_sized_new (strlen (valid));
  for (p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!multiline && chars >= MAX_LINE_CHARS)
        {
          g_string_append (out, "…");
          break;
        }
      if (multiline && (c == '\n' || c == '\t'))
        g_string_append_unichar (out, c);
      else if ((flags & DISPLAY_PERSON) && c == FSI && !isolated)
        {
          g_string_append_unichar (out, c);
          isolated = TRUE;
          continue;
        }
      else if ((flags & DISPLAY_PERSON) && c == PDI && isolated)
        {
          g_string_append_unichar (out, c);
          isolated = FALSE;
          continue;
        }
      else if (is_bidi_control (c))
        continue;
      else if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
      chars++;
    }
  if (isolated)
    g_string_append_unichar (out, PDI);
  return g_string_free (out, FALSE);
}

gint
rein_mediator_fee_parse_basis (const gchar *fee)
{
  const gchar *p = fee;
  gint64 whole = 0;
  gint fraction = 0;
  guint decimals = 0;

  if (fee == NULL)
    return -1;
  while (*p == ' ')
    p++;
  if (!g_ascii_isdigit (*p))
    return -1;
  for (; g_ascii_isdigit (*p); p++)
    {
      whole = whole * 10 + (*p - '0');
      if (whole > 100)
        return -1;
    }
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++)
      if (++decimals <= 2)
        fraction = fraction * 10 + (*p - '0');
  if (decimals == 1)
    fraction *= 10;
  while (*p == ' ')
    p++;
  if (*p == '%')
    p++;
  while (*p == ' ')
    p++;
  if (*p != '\0' || whole * 100 + fraction > 10000)
    return -1;
  return (gint) (whole * 100 + fraction);
}

/* The texts many jobs have in common (a creator's, a mediator's, a
 * category) are held once, however many jobs say them: with 100,000 jobs
 * in memory this is tens of megabytes. Freed with the last job. */
static gchar *
shared (gchar *text)
{
  gchar *one = g_ref_string_new_intern (text);

  g_free (text);
  return one;
}

/* ---- reading many summaries at once ---- */

/* What a read of many rows has formatted so far, by the text as stored:
 * the texts many rows have in common (people, contacts, categories,
 * fees, keys) are formatted and interned once per read instead of once
 * per row (a person's name, with its isolates, takes the slow path of
 * display_text(), and GLib's intern table takes a global lock). */
struct _ReinJobSummaryTexts
{
  GHashTable *tables[3]; /* stored text -> GRefString (a reference each) */
};

enum
{
  TEXTS_LINE,
  TEXTS_PERSON,
  TEXTS_KEY,
};

ReinJobSummaryTexts *
_rein_job_summary_texts_new (void)
{
  ReinJobSummaryTexts *texts = g_new0 (ReinJobSummaryTexts, 1);

  for (guint i = 0; i < G_N_ELEMENTS (texts->tables); i++)
    texts->tables[i] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_ref_string_release);
  return texts;
}

void
_rein_job_summary_texts_free (ReinJobSummaryTexts *texts)
{
  if (texts == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (texts->tables); i++)
    g_hash_table_unref (texts->tables[i]);
  g_free (texts);
}

/* @text as shown (a key: as it is), interned: a new reference. */
static gchar *
shared_text (ReinJobSummaryTexts *texts, guint kind, const gchar *text)
{
  gchar *one;

  if (texts == NULL || text == NULL)
    {
      if (kind == TEXTS_KEY)
        return g_ref_string_new_intern (text != NULL ? text : "");
      return shared (display_text (text, kind == TEXTS_PERSON ? DISPLAY_PERSON : DISPLAY_LINE));
    }
  one = g_hash_table_lookup (texts->tables[kind], text);
  if (one == NULL)
    {
      one = shared_text (NULL, kind, text);
      g_hash_table_insert (texts->tables[kind], g_strdup (text), one);
    }
  return g_ref_string_acquire (one);
}

ReinJobSummary *
_rein_job_summary_new_read (ReinJobSummaryTexts *texts,
                            gint64 id,
                            const gchar *job_id,
                            const gchar *creator_key,
                            gboolean testnet,
                            const gchar *name,
                            const gchar *category,
                            const gchar *description,
                            const gchar *creator,
                            const gchar *creator_contact,
                            const gchar *mediator,
                            const gchar *mediator_contact,
                            const gchar *mediator_key,
                            const gchar *mediator_fee,
                            ReinJobState state,
                            guint n_bids,
                            const gchar *bidders,
                            gint64 first_seen)
{
  ReinJobSummary *self = g_object_new (REIN_TYPE_JOB_SUMMARY, NULL);

  self->id = id;
  self->job_id = g_strdup (job_id ? job_id : "");
  self->creator_key = shared_text (texts, TEXTS_KEY, creator_key);
  self->testnet = testnet;
  self->name = display_text (name, DISPLAY_LINE);
  self->category = shared_text (texts, TEXTS_LINE, category);
  self->description = display_text (description, DISPLAY_MULTILINE);
  self->creator = shared_text (texts, TEXTS_PERSON, creator);
  self->creator_contact = shared_text (texts, TEXTS_LINE, creator_contact);
  self->mediator = shared_text (texts, TEXTS_PERSON, mediator);
  self->mediator_contact = shared_text (texts, TEXTS_LINE, mediator_contact);
  self->mediator_key = shared_text (texts, TEXTS_KEY, mediator_key);
  self->mediator_fee = shared_text (texts, TEXTS_LINE, mediator_fee);
  self->mediator_fee_basis = rein_mediator_fee_parse_basis (mediator_fee);
  self->state = state;
  self->n_bids = n_bids;
  self->bidders = g_strdup (bidders ? bidders : "");
  self->first_seen = first_seen;
  return self;
}

/* The contact of the enrollment binding @key to @master, else @fallback
 * (the posting's word). */
static const gchar *
enrolled_contact (ReinDirectory *directory,
                  const gchar *key,
                  const gchar *master,
                  const gchar *fallback)
{
  ReinDocument *enrollment = NULL;

  if (directory != NULL && key != NULL)
    enrollment = rein_directory_lookup_claim (directory, key, master);
  if (enrollment != NULL && rein_document_lookup (enrollment, REIN_LABEL_CONTACT) != NULL)
    return rein_document_lookup (enrollment, REIN_LABEL_CONTACT);
  return fallback;
}

GHashTable *
_rein_job_summary_new_parties (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* rein_person_format_party(), remembered in @parties (when not NULL) by
 * all that it depends on: the key, the master address and the name
 * claimed. A market's 100,000 jobs have far fewer creators and mediators,
 * and formatting one checks addresses. */
static gchar *
format_party (GHashTable *parties,
              ReinDirectory *directory,
              const gchar *key,
              const gchar *master,
              const gchar *claimed)
{
  g_autofree gchar *id = NULL;
  const gchar *known;
  gchar *formatted;

  if (parties == NULL)
    return rein_person_format_party (directory, key, master, claimed);
  /* Unit separators: none of the three may hold one (and a NULL is told
   * apart from an empty string). */
  id = g_strdup_printf ("%c%s\x1f%c%s\x1f%c%s", key ? '+' : '-', key ? key : "",
                        master ? '+' : '-', master ? master : "", claimed ? '+' : '-',
                        claimed ? claimed : "");
  known = g_hash_table_lookup (parties, id);
  if (known != NULL)
    return g_strdup (known);
  formatted = rein_person_format_party (directory, key, master, claimed);
  if (formatted != NULL)
    g_hash_table_insert (parties, g_steal_pointer (&id), g_strdup (formatted));
  return formatted;
}

ReinJobSummary *
rein_job_summary_new_from_job (ReinJob *job, ReinDirectory *directory, gboolean testnet)
{
  return _rein_job_summary_new_from_job_with (job, directory, testnet, NULL);
}

ReinJobSummary *
_rein_job_summary_new_from_job_with (ReinJob *job,
                                     ReinDirectory *directory,
                                     gboolean testnet,
                                     GHashTable *parties)
{
  ReinDocument *posting;
  GPtrArray *bids;
  g_autoptr (GString) bidders = g_string_new (NULL);
  g_autofree gchar *creator = NULL;
  g_autofree gchar *mediator = NULL;
  const gchar *category;

  g_return_val_if_fail (REIN_IS_JOB (job), NULL);
  posting = rein_job_get_posting (job);
  g_return_val_if_fail (posting != NULL, NULL);

  bids = rein_job_get_bids (job);
  for (guint i = 0; bids != NULL && i < bids->len; i++)
    {
      const gchar *key = rein_document_lookup (g_ptr_array_index (bids, i),
                                               REIN_LABEL_WORKER_PUBLIC_KEY);

      if (key == NULL)
        continue;
      if (bidders->len > 0)
        g_string_append_c (bidders, ',');
      g_string_append (bidders, key);
    }
  category = rein_document_get_category (posting);
  /* A name is not an identity: the enrolled name with the master's
   * fingerprint (rein-person.h). */
  creator = format_party (
      parties, directory, rein_job_get_creator_key (job),
      rein_document_lookup (posting, REIN_LABEL_JOB_CREATOR_MASTER_ADDRESS),
      rein_document_lookup (posting, REIN_LABEL_JOB_CREATOR));
  mediator = format_party (
      parties, directory, rein_job_get_mediator_key (job),
      rein_document_lookup (posting, REIN_LABEL_MEDIATOR_MASTER_ADDRESS),
      rein_document_lookup (posting, REIN_LABEL_MEDIATOR));

  return _rein_job_summary_new_read (NULL, 
      0, rein_job_get_id (job), rein_job_get_creator_key (job), testnet, rein_job_get_name (job),
      category, rein_document_lookup (posting, REIN_LABEL_DESCRIPTION),
      creator,
      enrolled_contact (directory, rein_job_get_creator_key (job),
                        rein_document_lookup (posting, REIN_LABEL_JOB_CREATOR_MASTER_ADDRESS),
                        rein_document_lookup (posting, REIN_LABEL_JOB_CREATOR_CONTACT)),
      mediator,
      enrolled_contact (directory, rein_job_get_mediator_key (job),
                        rein_document_lookup (posting, REIN_LABEL_MEDIATOR_MASTER_ADDRESS),
                        rein_document_lookup (posting, REIN_LABEL_MEDIATOR_CONTACT)),
      rein_job_get_mediator_key (job),
      rein_document_lookup (posting, REIN_LABEL_MEDIATOR_FEE), rein_job_get_state (job),
      bids != NULL ? bids->len : 0, bidders->str, g_get_real_time () / G_USEC_PER_SEC);
}

gint64
rein_job_summary_get_id (ReinJobSummary *self)
{
  g_return_val_if_fail (REIN_IS_JOB_SUMMARY (self), 0);
  return self->id;
}

#define STRING_GETTER(field)                                                                      \
  const gchar *rein_job_summary_get_##field (ReinJobSummary *self)                                \
  {                                                                                               \
    g_return_val_if_fail (REIN_IS_JOB_SUMMARY (self), NULL);                                      \
    return self->field;                                                                           \
  }

STRING_GETTER (job_id)
STRING_GETTER (creator_key)
STRING_GETTER (name)
STRING_GETTER (category)
STRING_GETTER (description)
STRING_GETTER (creator)
STRING_GETTER (creator_contact)
STRING_GETTER (mediator)
STRING_GETTER (mediator_contact)
STRING_GETTER (mediator_key)
STRING_GETTER (mediator_fee)
STRING_GETTER (bidders)

gboolean
rein_job_summary_get_testnet (ReinJobSummary *self)
{
  g_return_val_if_fail (REIN_IS_JOB_SUMMARY (self), FALSE);
  return self->testnet;
}

gint
rein_job_summary_get_mediator_fee_basis (ReinJobSummary *self)
{
  g_return_val_if_fail (REIN_IS_JOB_SUMMARY (self), -1);
  return self->mediator_fee_basis;
}

ReinJobState
rein_job_summary_get_state (ReinJobSummary *self)
{
  g_return_val_if_fail (REIN_IS_JOB_SUMMARY (self), REIN_JOB_STATE_NONE);
  return self->state;
}

gboolean
rein_job_summary_get_open (ReinJobSummary *self)
{
  g_return_val_if_fail (REIN_IS_JOB_SUMMARY (self), FALSE);
  return self->state == REIN_JOB_STATE_POSTED || self->state == REIN_JOB_STATE_BIDS;
}

guint
rein_job_summary_get_n_bids (ReinJobSummary *self)
{
  g_return_val_if_fail (REIN_IS_JOB_SUMMARY (self), 0);
  return self->n_bids;
}

gboolean
rein_job_summary_has_bidder (ReinJobSummary *self, const gchar *public_key_hex)
{
  g_auto (GStrv) keys = NULL;

  g_return_val_if_fail (REIN_IS_JOB_SUMMARY (self), FALSE);
  if (public_key_hex == NULL || *self->bidders == '\0')
    return FALSE;
  keys = g_strsplit (self->bidders, ",", -1);
  for (guint i = 0; keys[i] != NULL; i++)
    if (rein_same_key (keys[i], public_key_hex))
      return TRUE;
  return FALSE;
}

gint64
rein_job_summary_get_first_seen (ReinJobSummary *self)
{
  g_return_val_if_fail (REIN_IS_JOB_SUMMARY (self), 0);
  return self->first_seen;
}

gboolean
rein_job_summary_equal (ReinJobSummary *a, ReinJobSummary *b)
{
  g_return_val_if_fail (REIN_IS_JOB_SUMMARY (a) && REIN_IS_JOB_SUMMARY (b), FALSE);

  return a == b
         || (a->id == b->id && a->first_seen == b->first_seen && a->state == b->state
             && a->n_bids == b->n_bids && a->testnet == b->testnet
             && g_strcmp0 (a->job_id, b->job_id) == 0
             && g_strcmp0 (a->creator_key, b->creator_key) == 0
             && g_strcmp0 (a->name, b->name) == 0 && g_strcmp0 (a->category, b->category) == 0
             && g_strcmp0 (a->description, b->description) == 0
             && g_strcmp0 (a->creator, b->creator) == 0
             && g_strcmp0 (a->creator_contact, b->creator_contact) == 0
             && g_strcmp0 (a->mediator, b->mediator) == 0
             && g_strcmp0 (a->mediator_contact, b->mediator_contact) == 0
             && g_strcmp0 (a->mediator_key, b->mediator_key) == 0
             && g_strcmp0 (a->mediator_fee, b->mediator_fee) == 0
             && g_strcmp0 (a->bidders, b->bidders) == 0);
}

typedef struct
{
  const gchar *name;
  guint count;
} CategoryCount;

static gint
compare_category_counts (gconstpointer a, gconstpointer b)
{
  const CategoryCount *x = a, *y = b;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return strcmp (x->name, y->name);
}

GStrv
rein_job_summaries_list_categories (GPtrArray *summaries, guint at_most)
{
  g_autoptr (GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GArray) sorted = g_array_new (FALSE, FALSE, sizeof (CategoryCount));
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (summaries != NULL, NULL);

  for (guint i = 0; i < summaries->len; i++)
    {
      const gchar *category = REIN_JOB_SUMMARY (summaries->pdata[i])->category;

      if (*category != '\0')
        g_hash_table_insert (counts, (gpointer) category,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (
                                                   g_hash_table_lookup (counts, category))
                                               + 1));
    }
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      CategoryCount c = { key, GPOINTER_TO_UINT (value) };

      g_array_append_val (sorted, c);
    }
  g_array_sort (sorted, compare_category_counts);
  for (guint i = 0; i < sorted->len && i < at_most; i++)
    g_strv_builder_add (builder, g_array_index (sorted, CategoryCount, i).name);
  return g_strv_builder_end (builder);
}
