/* rein-market-view.c: the Market tab
 *
 * The list shows the market service's jobs, sorted, then filtered (open
 * only, category, search): jobs (GListStore) -> sorted (an array, sorted
 * in a worker whenever the jobs or the order change) -> shown (ReinJobList,
 * the rows that pass) -> single selection -> list. A keystroke sorts
 * nothing: search asks the store's full-text index in a worker, and the
 * filter then looks each row id up in the answer in one pass over a plain
 * array (over the rows shown only, when typing on narrows them), and the
 * list is told only which stretch of rows changed. GtkSortListModel and
 * GtkFilterListModel did this through a GListModel lookup per row and per
 * keystroke: 50-250 ms for 100,000 jobs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>

#include "rein-background.h"
#include "rein-bid-dialog.h"
#include "rein-job-row.h"
#include "rein-market-view.h"
#include "rein-post-dialog.h"
#include "rein-ratings.h"

/* The row ids a search matched (ascending), and, unless the ids run
 * too high for it, a bit per id up to the highest: the filter asks about
 * every row, 100,000 of them at the first letter typed. */
typedef struct
{
  GArray *ids;    /* gint64 */
  guint64 *bits;  /* NULL: look in ids */
  guint64 n_bits;
} SearchHits;

/* At most this many bits (8 MB): row ids are the index's, from 1 up. */
#define MAX_SEARCH_BITS (G_GUINT64_CONSTANT (1) << 26)

static SearchHits *
search_hits_new (GArray *ids)
{
  SearchHits *hits = g_new0 (SearchHits, 1);
  gint64 last = -1;

  hits->ids = ids;
  /* the largest id, not trusting the order the answer promises */
  for (guint i = 0; i < ids->len; i++)
    last = MAX (last, g_array_index (ids, gint64, i));
  if (last < (gint64) MAX_SEARCH_BITS)
    {
      hits->n_bits = (guint64) (last + 1);
      hits->bits = g_new0 (guint64, hits->n_bits / 64 + 1);
      for (guint i = 0; i < ids->len; i++)
        {
          gint64 id = g_array_index (ids, gint64, i);

          if (id >= 0)
            hits->bits[id / 64] |= G_GUINT64_CONSTANT (1) << (id % 64);
        }
    }
  return hits;
}

static void
search_hits_free (SearchHits *hits)
{
  g_array_unref (hits->ids);
  g_free (hits->bits);
  g_free (hits);
}

static gint
compare_ids (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gboolean
search_hits_contain (const SearchHits *hits, gint64 id)
{
  if (hits->bits != NULL)
    return id >= 0 && (guint64) id < hits->n_bits
           && (hits->bits[id / 64] >> (id % 64) & 1) != 0;
  return bsearch (&id, hits->ids->data, hits->ids->len, sizeof (gint64), compare_ids) != NULL;
}

struct _ReinMarketView
{
  AdwBin parent_instance;

  ReinContext *context;
  ReinMarketService *market;

  GPtrArray *sorted;     /* every job (ReinJobSummary), in the chosen order */
  GArray *facts;         /* JobFacts of each sorted job */
  ReinJobList *shown;    /* those that pass the filters, borrowed from sorted */
  GArray *shown_index;   /* the place of each row shown in sorted (guint) */
  GPtrArray *sorted_rows; /* the service's rows sorted last (or being sorted) */
  GPtrArray *next_rows;   /* the service's rows to sort once the sort running ends */
  GCancellable *sort_cancellable;
  gboolean sorting;
  gboolean sort_again;   /* the jobs changed while they were being sorted */
  GtkSingleSelection *selection;
  GtkStringList *categories;

  SearchHits *search_hits; /* the rows matching the search; NULL: no search */
  gchar *search_text;      /* what is searched for (stripped); NULL: nothing */
  gchar *shown_search;     /* the text search_hits answer; NULL: none */
  gboolean hits_stale;     /* the jobs changed since search_hits were asked for */
  GCancellable *search_cancellable;
  gboolean searching;
  gchar *category;         /* NULL: every category */
  gboolean open_only;
  ReinMarketSort sort;
  gchar *bid_refusal;
  /* The chosen job, by what identifies it, so that it stays chosen when
   * the list is read again or a row is replaced. */
  gchar *chosen_job_id;
  gchar *chosen_creator_key;

  AdwLeaflet *leaflet;
  guint open_idle; /* a click's job opens (narrow) */
  guint ages_id;   /* the rows say how long ago anew each minute */
  GtkSearchEntry *search_entry;
  GtkListBox *mediator_list;
  GtkWidget *no_mediators_label;
  GtkDropDown *category_dropdown;
  GtkDropDown *sort_dropdown;
  GtkToggleButton *open_only_button;
  GtkStack *list_stack;
  GtkGridView *job_list;
  AdwStatusPage *empty_page;
  AdwStatusPage *error_page;
  GtkSpinner *loading_spinner;
  GtkRevealer *status_revealer;
  GtkImage *status_icon;
  GtkInscription *loading_count;
  GtkLabel *status_label;
  GtkInscription *status_count; /* a refresh's count, beside status_label */
  GtkStack *detail_stack;
  GtkLabel *detail_name;
  GtkLabel *detail_meta;
  GtkLabel *detail_description;
  AdwActionRow *creator_row;
  AdwActionRow *mediator_row;
  AdwActionRow *bids_row;
  AdwActionRow *state_row;
  AdwActionRow *job_id_row;
  GtkWidget *bid_button;
  GtkLabel *bid_refusal_label;

  /* the people's ratings (rein-ratings.h): the context's cache */
  ReinRatingsCache *ratings;
  gchar *creator_ratings;  /* as the detail pane shows them; NULL while read */
  gchar *mediator_ratings;
  GPtrArray *spare_rows; /* ReinJobRow, unbound, not in the list: see setup_row_cb() */
};

G_DEFINE_FINAL_TYPE (ReinMarketView, rein_market_view, ADW_TYPE_BIN)

/* ---- what a row passes ---- */

/* What the filters read of a job, side by side for every sorted job: a
 * pass over 100,000 of them reads 1.6 MB in order instead of touching
 * 100,000 objects (10-20 ms of cache misses). */
typedef struct
{
  gint64 id;
  gboolean open;
} JobFacts;

/* Whether the @i-th sorted job passes the filters. */
static gboolean
passes (ReinMarketView *self, guint i)
{
  const JobFacts *facts = &g_array_index (self->facts, JobFacts, i);

  if (self->open_only && !facts->open)
    return FALSE;
  if (self->category != NULL
      && g_strcmp0 (rein_job_summary_get_category (self->sorted->pdata[i]), self->category) != 0)
    return FALSE;
  if (self->search_hits != NULL)
    return search_hits_contain (self->search_hits, facts->id);
  return TRUE;
}

static int
compare_int64 (gint64 a, gint64 b)
{
  return a < b ? -1 : a > b ? 1 : 0;
}

/* Summaries do not change once made (a changed job is a new one), so a
 * worker may read them. */
static int
sort_func (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const ReinMarketSort *sort = user_data;
  ReinJobSummary *x = *(ReinJobSummary **) a;
  ReinJobSummary *y = *(ReinJobSummary **) b;
  int order = 0;

  switch (*sort)
    {
    case REIN_MARKET_SORT_MOST_BIDS:
      order = compare_int64 (rein_job_summary_get_n_bids (y), rein_job_summary_get_n_bids (x));
      break;
    case REIN_MARKET_SORT_LOWEST_FEE:
      {
        /* A fee that is not a number goes last. */
        gint64 fx = rein_job_summary_get_mediator_fee_basis (x);
        gint64 fy = rein_job_summary_get_mediator_fee_basis (y);

        order = compare_int64 (fx < 0 ? G_MAXINT64 : fx, fy < 0 ? G_MAXINT64 : fy);
      }
      break;
    case REIN_MARKET_SORT_NEWEST:
    default:
      break;
    }
  if (order == 0)
    order = compare_int64 (rein_job_summary_get_first_seen (y), rein_job_summary_get_first_seen (x));
  if (order == 0)
    order = compare_int64 (rein_job_summary_get_id (y), rein_job_summary_get_id (x));
  return order;
}

/* ---- states ---- */

static const gchar *
own_key (ReinMarketView *self)
{
  ReinIdentity *identity = self->market ? rein_market_service_get_identity (self->market) : NULL;

  return identity ? rein_identity_get_delegate_public_key (identity) : NULL;
}

/* The window's banner names the servers the last sync failed to: the
 * market's line does not say it again for them. */
static gboolean
some_sync_failed (ReinMarketView *self)
{
  ReinSession *session = self->context ? rein_context_get_session (self->context) : NULL;
  g_auto (GStrv) failed = session ? rein_session_dup_failed_servers (session, NULL) : NULL;

  return failed != NULL && failed[0] != NULL;
}

/* The count beside the status line, or none (NULL). */
static void
set_status_count (ReinMarketView *self, const gchar *count)
{
  gtk_inscription_set_text (self->status_count, count != NULL ? count : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_count), count != NULL);
  /* right after the words, not at the far end of the line */
  gtk_widget_set_hexpand (GTK_WIDGET (self->status_label), count == NULL);
}

/* While a refresh runs: how far it got, below the list and on the
 * loading page. Returns the number of documents read. */
static guint
update_read_count (ReinMarketView *self)
{
  guint read = rein_market_service_get_documents_read (self->market);
  g_autofree gchar *count = NULL;

  if (read == 0)
    {
      gtk_label_set_text (self->status_label, _("Refreshing from your servers…"));
      set_status_count (self, NULL);
      gtk_inscription_set_text (self->loading_count, "");
      return 0;
    }
  /* %'u: grouped digits, as the locale groups them */
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u document read",
                                        "%'u documents read", read),
                           read);
  gtk_inscription_set_text (self->loading_count, count);
  /* The count on a widget of its own beside the words: the status line
   * wraps, and a wrapped label measured anew at each count (four times a
   * second) took the main loop 4-8 ms each time. Both counts are
   * inscriptions, whose size does not follow their text: a label's new
   * text is a new layout of the window, which on X11 asks the display
   * server five times where the window is (GTK 4.8), and on a busy
   * machine each of those answers can take milliseconds. */
  gtk_label_set_text (self->status_label, _("Refreshing from your servers:"));
  set_status_count (self, count);
  return read;
}

static void
update_state (ReinMarketView *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->shown));
  guint total = self->market ? g_list_model_get_n_items (rein_market_service_get_jobs (self->market))
                             : 0;
  gboolean refreshing = self->market && rein_market_service_get_refreshing (self->market);
  const gchar *error = self->market ? rein_market_service_get_error (self->market) : NULL;
  const gchar *warning = self->market ? rein_market_service_get_warning (self->market) : NULL;
  const gchar *page;
  const gchar *tip;
  guint read;

  if (self->market == NULL || rein_market_service_get_identity (self->market) == NULL)
    page = "empty";
  else if (shown > 0)
    page = "list";
  else if (!rein_market_service_get_loaded (self->market) || (refreshing && total == 0)
           || (self->sorting && total > 0))
    page = "loading";
  else if (error != NULL && total == 0)
    page = "error";
  else
    page = "empty";

  if (g_str_equal (page, "empty"))
    {
      if (total == 0)
        {
          adw_status_page_set_title (self->empty_page, _("No Jobs Yet"));
          adw_status_page_set_description (
              self->empty_page, _("Jobs posted on your servers appear here after a refresh. "
                                  "Post one with the + button."));
        }
      else
        {
          adw_status_page_set_title (self->empty_page, _("No Matching Jobs"));
          adw_status_page_set_description (
              self->empty_page, self->open_only
                                  ? _("Try other words, another category, or turn off “Open "
                                      "Only” to see awarded jobs too.")
                                  : _("Try other words or another category."));
        }
    }
  if (g_str_equal (page, "error"))
    {
      ReinSession *session = rein_context_get_session (self->context);

      /* servers answer queries only from owners they hold (PROTOCOL.md
       * section 6: "Account required to make queries"): an identity
       * never synced is not one of them yet */
      if (rein_session_get_last_sync (session) == 0
          && strstr (error, "Account required to make queries") != NULL)
        {
          adw_status_page_set_title (self->error_page, _("Sync First"));
          adw_status_page_set_description (
              self->error_page, _("Your servers answer the market only to identities they "
                                  "hold. Sync to publish yours, then try again."));
        }
      else
        {
          adw_status_page_set_title (self->error_page, _("The Market Could Not Be Read"));
          adw_status_page_set_description (
              self->error_page, _("None of your servers sent the market. Check your "
                                  "connection, and your servers in Preferences."));
        }
      /* the servers' own words, for whoever looks closer */
      rein_widget_set_tooltip (GTK_WIDGET (self->error_page), error);
    }
  gtk_stack_set_visible_child_name (self->list_stack, page);
  /* A refresh counts what it reads instead of spinning: a spinner is a new
   * layout every frame, which for a minute-long first refresh was seconds
   * of the main thread's time (on X11, each costs round trips to the
   * display server). The spinner stays for the short waits. */
  read = refreshing ? update_read_count (self) : 0;
  if (!refreshing)
    {
      /* not the last refresh's count under a later wait (a sort) */
      gtk_inscription_set_text (self->loading_count, "");
      set_status_count (self, NULL);
    }
  gtk_spinner_set_spinning (self->loading_spinner, g_str_equal (page, "loading") && read == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->loading_spinner), read == 0);

  /* Below the list: a refresh in flight, or what went wrong in the last
   * one while older results stay shown. */
  gtk_widget_set_visible (GTK_WIDGET (self->status_icon), refreshing);
  /* In plain words; the servers' own (libsoup's, GIO's) in the tooltip. */
  if (refreshing)
    {
      /* update_read_count() said how far it got */
      tip = NULL;
    }
  else if (error != NULL && total > 0)
    {
      gtk_label_set_text (self->status_label,
                          _("Showing saved jobs: your servers could not be read just now."));
      tip = error;
    }
  else if (warning != NULL && error == NULL && !some_sync_failed (self))
    {
      gtk_label_set_text (self->status_label,
                          _("Some servers could not be read: the jobs shown come from the "
                            "others."));
      tip = warning;
    }
  else
    {
      gtk_label_set_text (self->status_label, "");
      tip = NULL;
    }
  rein_widget_set_tooltip (GTK_WIDGET (self->status_label), tip);
  gtk_revealer_set_reveal_child (self->status_revealer,
                                 *gtk_label_get_text (self->status_label) != '\0');
}

/* ---- the detail pane ---- */

static void
set_bid_refusal (ReinMarketView *self, const gchar *refusal)
{
  g_free (self->bid_refusal);
  self->bid_refusal = g_strdup (refusal);
  gtk_label_set_text (self->bid_refusal_label, refusal ? refusal : "");
  gtk_widget_set_visible (GTK_WIDGET (self->bid_refusal_label), refusal != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "market.bid", refusal == NULL);
}

/* ---- the people's ratings: the detail pane's creator and mediator,
 * the mediators list ---- */

/* @key's ratings and my trust in them: "rated 4.5 by 3 · trust 4.2",
 * "no ratings · no trust link", or, while they are read, NULL (and, when
 * @want, their reading is asked for). "" for someone without a known
 * enrollment. */
static gchar *
ratings_of_key (ReinMarketView *self, const gchar *key, gboolean want)
{
  ReinDirectory *directory;
  g_autofree gchar *sin = NULL;
  const gchar *text;

  /* without an identity there is no point of view to read them from */
  if (self->ratings == NULL || key == NULL
      || rein_market_service_get_identity (self->market) == NULL)
    return g_strdup ("");
  directory = rein_market_service_get_directory (self->market);
  sin = directory != NULL ? rein_directory_dup_sin_of_key (directory, key) : NULL;
  if (sin == NULL)
    return g_strdup ("");
  text = rein_ratings_cache_lookup (self->ratings, sin, TRUE);
  if (text == NULL && want)
    rein_ratings_cache_want (self->ratings, sin);
  return g_strdup (text);
}

/* @row's subtitle: @base, then on a line of its own @ratings or, while
 * they are read, that they are. */
static void
set_person_subtitle (AdwActionRow *row, const gchar *base, const gchar *ratings)
{
  g_autofree gchar *subtitle = NULL;

  if (ratings != NULL && *ratings == '\0')
    {
      adw_action_row_set_subtitle (row, base);
      return;
    }
  subtitle = g_strdup_printf ("%s\n%s", base, ratings != NULL ? ratings : _("reading ratings…"));
  adw_action_row_set_subtitle (row, subtitle);
}

/* A mediators list row, once its ratings are read: they are asked for
 * only while the list is shown. */
static void
show_mediator_ratings (ReinMarketView *self, GtkWidget *row)
{
  ReinDocument *enrollment = g_object_get_data (G_OBJECT (row), "enrollment");
  g_autofree gchar *ratings = ratings_of_key (
      self, rein_document_get_field (enrollment, REIN_LABEL_MEDIATOR_PUBLIC_KEY),
      gtk_widget_get_mapped (GTK_WIDGET (self->mediator_list)));

  g_object_set_data_full (G_OBJECT (row), "ratings", g_strdup (ratings), g_free);
  set_person_subtitle (ADW_ACTION_ROW (row), g_object_get_data (G_OBJECT (row), "base-subtitle"),
                       ratings);
}

static void update_detail (ReinMarketView *self);

static void
show_mediators_ratings (ReinMarketView *self)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->mediator_list));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    if (g_object_get_data (G_OBJECT (row), "enrollment") != NULL)
      show_mediator_ratings (self, row);
}

static void
ratings_changed_cb (ReinMarketView *self)
{
  show_mediators_ratings (self);
  update_detail (self);
}

static void
update_detail (ReinMarketView *self)
{
  ReinJobSummary *s = rein_market_view_get_selected (self);
  const gchar *key = own_key (self);
  g_autofree gchar *meta = NULL;
  g_autofree gchar *shown_category = NULL;
  g_autofree gchar *person = NULL;
  g_autofree gchar *age = NULL;
  g_autofree gchar *mediator = NULL;
  g_autofree gchar *creator = NULL;
  g_autofree gchar *bids = NULL;
  const gchar *description;

  if (s == NULL)
    {
      g_clear_pointer (&self->creator_ratings, g_free);
      g_clear_pointer (&self->mediator_ratings, g_free);
      gtk_stack_set_visible_child_name (self->detail_stack, "none");
      set_bid_refusal (self, _("Choose a job first."));
      return;
    }
  age = rein_format_age (rein_job_summary_get_first_seen (s), g_get_real_time () / G_USEC_PER_SEC);
  shown_category = rein_bidi_isolate (*rein_job_summary_get_category (s)
                                        ? rein_job_summary_get_category (s)
                                        : _("No category"));
  meta = rein_bidi_line (GTK_WIDGET (self),
                         g_strdup_printf (_("%s · first seen %s"), shown_category, age));
  description = rein_job_summary_get_description (s);
  gtk_label_set_text (self->detail_name, rein_job_summary_get_name (s));
  gtk_label_set_text (self->detail_meta, meta);
  gtk_label_set_text (self->detail_description,
                      *description ? description : _("No description."));
  person = rein_bidi_isolate (rein_job_summary_get_creator (s));
  creator = *rein_job_summary_get_creator_contact (s)
              ? g_strdup_printf (_("%s · %s"), person,
                                 rein_job_summary_get_creator_contact (s))
              : g_strdup (person);
  g_free (self->creator_ratings);
  self->creator_ratings = ratings_of_key (self, rein_job_summary_get_creator_key (s), TRUE);
  set_person_subtitle (self->creator_row, creator, self->creator_ratings);
  g_free (person);
  person = rein_bidi_isolate (rein_job_summary_get_mediator (s));
  mediator = g_strdup_printf (_("%s · fee %s · %s"), person,
                              rein_job_summary_get_mediator_fee (s),
                              rein_job_summary_get_mediator_contact (s));
  g_free (self->mediator_ratings);
  self->mediator_ratings = ratings_of_key (self, rein_job_summary_get_mediator_key (s), TRUE);
  set_person_subtitle (self->mediator_row, mediator, self->mediator_ratings);
  bids = rein_job_summary_get_n_bids (s) == 0
           ? g_strdup (_("None yet"))
           : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u bid", "%u bids",
                                           rein_job_summary_get_n_bids (s)),
                              rein_job_summary_get_n_bids (s));
  adw_action_row_set_subtitle (self->bids_row, bids);
  adw_action_row_set_subtitle (self->state_row,
                               rein_job_state_describe (rein_job_summary_get_state (s)));
  adw_action_row_set_subtitle (self->job_id_row, rein_job_summary_get_job_id (s));
  gtk_stack_set_visible_child_name (self->detail_stack, "job");

  /* The same rules the job's validation applies, said before the user
   * types anything. */
  if (key == NULL)
    set_bid_refusal (self, _("Create or choose an identity to bid."));
  else if (rein_same_key (key, rein_job_summary_get_creator_key (s)))
    set_bid_refusal (self, _("This is your job: others bid on it."));
  else if (rein_same_key (key, rein_job_summary_get_mediator_key (s)))
    set_bid_refusal (self, _("You mediate this job, so you cannot bid on it."));
  else if (!rein_job_summary_get_open (s))
    set_bid_refusal (self, _("Bids are closed: the job was awarded."));
  else if (rein_job_summary_has_bidder (s, key))
    set_bid_refusal (self, _("You have bid on this job."));
  else
    set_bid_refusal (self, NULL);
}

/* ---- the filter and the sort ---- */

/* Shows the sorted jobs that pass the filters. @change says which may
 * change: MORE_STRICT only rows shown now are checked. */
static void
refilter (ReinMarketView *self, GtkFilterChange change)
{
  gboolean narrower = change == GTK_FILTER_CHANGE_MORE_STRICT;
  guint n = narrower ? self->shown_index->len : self->sorted->len;
  GPtrArray *passing = g_ptr_array_sized_new (n);
  GArray *index = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);

  for (guint k = 0; k < n; k++)
    {
      guint i = narrower ? g_array_index (self->shown_index, guint, k) : k;

      if (passes (self, i))
        {
          g_ptr_array_add (passing, self->sorted->pdata[i]);
          g_array_append_val (index, i);
        }
    }
  g_array_unref (self->shown_index);
  self->shown_index = index;
  rein_job_list_replace (self->shown, passing);
  update_state (self);
}

typedef struct
{
  GPtrArray *rows; /* the service's rows, copied to @jobs in the thread, or NULL */
  GPtrArray *jobs; /* a reference each */
  GArray *facts;   /* JobFacts */
  ReinMarketSort sort;
} Sort;

static void
sort_free (Sort *sort)
{
  g_clear_pointer (&sort->rows, g_ptr_array_unref);
  g_clear_pointer (&sort->jobs, g_ptr_array_unref);
  g_clear_pointer (&sort->facts, g_array_unref);
  g_free (sort);
}

static gboolean
in_order (GPtrArray *jobs, ReinMarketSort sort)
{
  for (guint i = 1; i < jobs->len; i++)
    if (sort_func (&jobs->pdata[i - 1], &jobs->pdata[i], &sort) > 0)
      return FALSE;
  return TRUE;
}

static void
sort_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Sort *sort = task_data;
  Sort *sorted = g_new0 (Sort, 1);

  /* The copy too: a hundred thousand references took the main loop
   * longer than a frame. */
  if (sort->rows != NULL)
    {
      sort->jobs = g_ptr_array_new_full (sort->rows->len, g_object_unref);
      for (guint i = 0; i < sort->rows->len; i++)
        g_ptr_array_add (sort->jobs, g_object_ref (sort->rows->pdata[i]));
      g_clear_pointer (&sort->rows, g_ptr_array_unref);
    }
  /* The market's jobs come newest first: in that order (the default)
   * they need one pass over them, not a sort (100-200 ms for 100,000). */
  if (!in_order (sort->jobs, sort->sort))
    g_ptr_array_sort_with_data (sort->jobs, sort_func, &sort->sort);
  sorted->jobs = g_steal_pointer (&sort->jobs);
  sorted->facts = g_array_sized_new (FALSE, FALSE, sizeof (JobFacts), sorted->jobs->len);
  for (guint i = 0; i < sorted->jobs->len; i++)
    {
      JobFacts facts = { rein_job_summary_get_id (sorted->jobs->pdata[i]),
                         rein_job_summary_get_open (sorted->jobs->pdata[i]) };

      g_array_append_val (sorted->facts, facts);
    }
  g_task_return_pointer (task, sorted, (GDestroyNotify) sort_free);
}

static void resort (ReinMarketView *self);

static void
sort_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinMarketView *self = REIN_MARKET_VIEW (source);
  Sort *sorted = g_task_propagate_pointer (G_TASK (result), NULL);
  GPtrArray *old;

  /* NULL: cancelled, a newer sort took over (or the view went away). */
  if (sorted == NULL)
    return;
  self->sorting = FALSE;
  /* The jobs changed meanwhile (a load comes in steps): these are shown,
   * and the jobs as they are now sorted once, whatever the steps since. */
  if (self->sort_again)
    {
      self->sort_again = FALSE;
      resort (self);
    }
  old = g_steal_pointer (&self->sorted);
  self->sorted = g_steal_pointer (&sorted->jobs);
  g_array_unref (self->facts);
  self->facts = g_steal_pointer (&sorted->facts);
  sort_free (sorted);
  /* The rows shown are borrowed from the old array: replaced before it
   * goes (a sort started above holds its own references). */
  refilter (self, GTK_FILTER_CHANGE_DIFFERENT);
  /* a hundred thousand jobs are tens of milliseconds to let go */
  rein_background_free (old, (GDestroyNotify) g_ptr_array_unref);
}

/* Sorts the market's jobs in a worker (100,000 take a few hundred
 * milliseconds), then shows them. The rows shown stay as they are until
 * then. */
static void
resort (ReinMarketView *self)
{
  GListModel *jobs = self->market ? rein_market_service_get_jobs (self->market) : NULL;
  GPtrArray *rows = self->market ? rein_market_service_dup_rows (self->market) : NULL;
  g_autoptr (GTask) task = NULL;
  Sort *sort = g_new0 (Sort, 1);

  g_cancellable_cancel (self->sort_cancellable);
  g_clear_object (&self->sort_cancellable);
  self->sort_cancellable = g_cancellable_new ();
  self->sort_again = FALSE;
  sort->sort = self->sort;
  /* Those may be the last references to a hundred thousand rows. */
  rein_background_free (g_steal_pointer (&self->sorted_rows), (GDestroyNotify) g_ptr_array_unref);
  rein_background_free (g_steal_pointer (&self->next_rows), (GDestroyNotify) g_ptr_array_unref);
  if (rows != NULL)
    {
      /* copied in the thread */
      sort->rows = rows;
      self->sorted_rows = g_ptr_array_ref (rows);
    }
  else
    {
      guint n = jobs ? g_list_model_get_n_items (jobs) : 0;

      sort->jobs = g_ptr_array_new_full (n, g_object_unref);
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (sort->jobs, g_list_model_get_item (jobs, i));
    }
  self->sorting = TRUE;
  task = g_task_new (self, self->sort_cancellable, sort_done_cb, NULL);
  g_task_set_source_tag (task, resort);
  g_task_set_task_data (task, sort, (GDestroyNotify) sort_free);
  g_task_run_in_thread (task, sort_thread);
}

/* How the rows that pass change from the answer to @before to the answer
 * to @after (NULL: no search). A search is all its words, each a prefix:
 * typing on (@after starts with @before) can only narrow the rows, and
 * deleting can only widen them, so the filter re-checks only the rows
 * shown, or only those hidden. */
static GtkFilterChange
search_change (const gchar *before, const gchar *after)
{
  if (before == NULL)
    return GTK_FILTER_CHANGE_MORE_STRICT;
  if (after == NULL)
    return GTK_FILTER_CHANGE_LESS_STRICT;
  if (g_str_has_prefix (after, before))
    return GTK_FILTER_CHANGE_MORE_STRICT;
  if (g_str_has_prefix (before, after))
    return GTK_FILTER_CHANGE_LESS_STRICT;
  return GTK_FILTER_CHANGE_DIFFERENT;
}

/* Shows the rows that match @hits (taken; NULL: no search), the answer to
 * @text. */
static void
set_search_hits (ReinMarketView *self, SearchHits *hits, const gchar *text)
{
  GtkFilterChange change = self->hits_stale ? GTK_FILTER_CHANGE_DIFFERENT
                                            : search_change (self->shown_search, text);
  gboolean had = self->search_hits != NULL;

  g_clear_pointer (&self->search_hits, search_hits_free);
  self->search_hits = hits;
  g_free (self->shown_search);
  self->shown_search = g_strdup (text);
  self->hits_stale = FALSE;
  self->searching = FALSE;
  if (had || hits != NULL)
    refilter (self, change);
}

static void
search_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinMarketView *self = user_data;
  g_autoptr (GError) error = NULL;
  GArray *ids = rein_market_service_search_ids_finish (REIN_MARKET_SERVICE (source), result,
                                                       &error);

  if (ids == NULL)
    {
      /* A newer search took over: it will say. Otherwise the search is
       * over, and the list shows every job rather than a stale match. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Search failed: %s", error->message);
          set_search_hits (self, NULL, NULL);
        }
      g_object_unref (self);
      return;
    }
  /* Not cancelled: the answer to the latest search. */
  set_search_hits (self, search_hits_new (ids), self->search_text);
  g_object_unref (self);
}

static void
start_search (ReinMarketView *self)
{
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  if (self->search_text == NULL || self->market == NULL)
    {
      set_search_hits (self, NULL, NULL);
      return;
    }
  self->searching = TRUE;
  self->search_cancellable = g_cancellable_new ();
  rein_market_service_search_ids_async (self->market, self->search_text,
                                        self->search_cancellable, search_done_cb,
                                        g_object_ref (self));
}

static void
search_changed_cb (ReinMarketView *self)
{
  rein_market_view_set_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

void
rein_market_view_set_search (ReinMarketView *self, const gchar *text)
{
  g_autofree gchar *copy = g_strdup (text ? text : "");
  g_autofree gchar *stripped = g_strstrip (g_strdup (copy));

  g_return_if_fail (REIN_IS_MARKET_VIEW (self));

  /* Setting the entry's text passes through "" (a delete, then an
   * insert), and the entry reports that at once: it must not undo this. */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), copy) != 0)
    {
      g_signal_handlers_block_by_func (self->search_entry, search_changed_cb, self);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), copy);
      g_signal_handlers_unblock_by_func (self->search_entry, search_changed_cb, self);
    }
  /* The entry says "search-changed" again after its delay (150 ms): the
   * same search must not start over then, cancelling the one in flight. */
  if (g_strcmp0 (self->search_text, *stripped ? stripped : NULL) == 0)
    return;
  g_free (self->search_text);
  self->search_text = *stripped ? g_steal_pointer (&stripped) : NULL;
  start_search (self);
}


void
rein_market_view_set_category (ReinMarketView *self, const gchar *category)
{
  g_return_if_fail (REIN_IS_MARKET_VIEW (self));

  if (g_strcmp0 (self->category, category) == 0)
    return;
  g_free (self->category);
  self->category = g_strdup (category);
  refilter (self, GTK_FILTER_CHANGE_DIFFERENT);
}

/* A screen reader reaches a drop-down through the button inside it, which
 * GTK 4.8 names after its type ("GtkToggleButton"): the button is named
 * after the drop-down and its choice ("Category: Graphics"). */
static void
name_drop_down_button (GtkDropDown *drop_down, const gchar *what)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (drop_down);
  /* Translators: a drop-down and its choice, "Category: Graphics" */
  g_autofree gchar *name = item != NULL ? g_strdup_printf (_("%s: %s"), what,
                                                           gtk_string_object_get_string (item))
                                        : g_strdup (what);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (drop_down)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TOGGLE_BUTTON (child))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                      -1);
}

static void
category_selected_cb (ReinMarketView *self)
{
  guint position = gtk_drop_down_get_selected (self->category_dropdown);

  name_drop_down_button (self->category_dropdown, _("Category"));
  if (position == 0 || position == GTK_INVALID_LIST_POSITION)
    rein_market_view_set_category (self, NULL);
  else
    rein_market_view_set_category (
        self, gtk_string_list_get_string (self->categories, position));
}

void
rein_market_view_set_open_only (ReinMarketView *self, gboolean open_only)
{
  g_return_if_fail (REIN_IS_MARKET_VIEW (self));

  if (gtk_toggle_button_get_active (self->open_only_button) != open_only)
    gtk_toggle_button_set_active (self->open_only_button, open_only);
  if (self->open_only == open_only)
    return;
  self->open_only = open_only;
  refilter (self, open_only ? GTK_FILTER_CHANGE_MORE_STRICT : GTK_FILTER_CHANGE_LESS_STRICT);
}

static void
open_only_toggled_cb (ReinMarketView *self)
{
  rein_market_view_set_open_only (self, gtk_toggle_button_get_active (self->open_only_button));
}

void
rein_market_view_set_sort (ReinMarketView *self, ReinMarketSort sort)
{
  g_return_if_fail (REIN_IS_MARKET_VIEW (self));

  if (gtk_drop_down_get_selected (self->sort_dropdown) != (guint) sort)
    gtk_drop_down_set_selected (self->sort_dropdown, sort);
  if (self->sort == sort)
    return;
  self->sort = sort;
  resort (self);
}

static void
sort_selected_cb (ReinMarketView *self)
{
  guint position = gtk_drop_down_get_selected (self->sort_dropdown);

  name_drop_down_button (self->sort_dropdown, _("Sort"));
  if (position <= REIN_MARKET_SORT_LOWEST_FEE)
    rein_market_view_set_sort (self, position);
}

/* ---- the market's lists ---- */

static void
update_categories (ReinMarketView *self)
{
  const gchar *const *names = self->market ? rein_market_service_get_categories (self->market)
                                           : NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->categories));
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) items = NULL;
  guint keep = 0;

  g_strv_builder_add (builder, _("All Categories"));
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    g_strv_builder_add (builder, names[i]);
  items = g_strv_builder_end (builder);
  /* The same categories (as for most steps of a load): nothing to do. */
  if (g_strv_length (items) == n)
    {
      guint same = 0;

      while (same < n && g_strcmp0 (items[same],
                                    gtk_string_list_get_string (self->categories, same)) == 0)
        same++;
      if (same == n)
        return;
    }
  for (guint i = 1; items[i] != NULL; i++)
    if (g_strcmp0 (items[i], self->category) == 0)
      keep = i;
  g_signal_handlers_block_by_func (self->category_dropdown, category_selected_cb, self);
  gtk_string_list_splice (self->categories, 0, n, (const gchar *const *) items);
  gtk_drop_down_set_selected (self->category_dropdown, keep);
  g_signal_handlers_unblock_by_func (self->category_dropdown, category_selected_cb, self);
  if (keep == 0 && self->category != NULL)
    rein_market_view_set_category (self, NULL);
}

static void
jobs_changed_cb (ReinMarketView *self)
{
  g_autoptr (GPtrArray) rows = self->market ? rein_market_service_dup_rows (self->market) : NULL;

  /* A load of 100,000 jobs comes in a hundred steps: the rows it ends
   * with are sorted (and searched) at its first, and the steps after
   * change nothing of them. */
  if (rows == NULL || (rows != self->sorted_rows && rows != self->next_rows))
    {
      /* One sort at a time while the jobs change: each copies every job. */
      if (self->sorting)
        {
          self->sort_again = TRUE;
          g_clear_pointer (&self->next_rows, g_ptr_array_unref);
          self->next_rows = rows != NULL ? g_ptr_array_ref (rows) : NULL;
        }
      else
        resort (self);
      update_categories (self);
      /* New rows may match a search made before they came, and changed
       * ones may match no more: the next answer is not a narrowing of
       * this one. */
      if (self->search_text != NULL)
        {
          self->hits_stale = TRUE;
          start_search (self);
        }
    }
  update_state (self);
  update_detail (self);
}

static GtkWidget *
create_mediator_row (gpointer item, gpointer user_data)
{
  ReinMarketView *self = user_data;
  ReinDocument *enrollment = item;
  GtkWidget *row = adw_action_row_new ();
  const gchar *fee = rein_document_get_field (enrollment, REIN_LABEL_MEDIATOR_FEE);
  const gchar *contact = rein_document_get_field (enrollment, REIN_LABEL_CONTACT);
  g_autofree gchar *subtitle = g_strdup_printf (_("fee %s · %s"), fee ? fee : "?",
                                                contact ? contact : "");

  g_autofree gchar *who = rein_person_format_enrollment (enrollment, NULL);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), who);
  g_object_set_data_full (G_OBJECT (row), "enrollment", g_object_ref (enrollment),
                          g_object_unref);
  g_object_set_data_full (G_OBJECT (row), "base-subtitle", g_strdup (subtitle), g_free);
  show_mediator_ratings (self, row);
  return row;
}

static void
mediators_changed_cb (ReinMarketView *self)
{
  GListModel *mediators = rein_market_service_get_mediators (self->market);

  gtk_widget_set_visible (self->no_mediators_label, g_list_model_get_n_items (mediators) == 0);
}

/* ---- actions ---- */

static void
refresh_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  /* The service's properties say how it went; the view follows them. */
  rein_market_service_refresh_finish (REIN_MARKET_SERVICE (source), result, &error);
}

static void
refresh_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinMarketView *self = REIN_MARKET_VIEW (widget);

  if (self->market == NULL || rein_market_service_get_identity (self->market) == NULL
      || rein_market_service_get_refreshing (self->market))
    return;
  rein_market_service_refresh_async (self->market, NULL, refresh_done_cb, NULL);
}

static void
back_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinMarketView *self = REIN_MARKET_VIEW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* Escape and Alt+Left on a narrow window's job: back to the list (not
 * taken otherwise, so that they reach whatever else wants them). */
static gboolean
back_shortcut (GtkWidget *widget, GVariant *args, gpointer data)
{
  ReinMarketView *self = REIN_MARKET_VIEW (widget);

  if (!adw_leaflet_get_folded (self->leaflet)
      || g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "detail") != 0)
    return FALSE;
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  gtk_widget_grab_focus (GTK_WIDGET (self->job_list));
  return TRUE;
}

static void shown_changed_cb (ReinMarketView *self);

/* A job just posted is the job chosen: the list selects it as soon as it
 * shows it (shown_changed_cb()), and the detail is the new job's, not the
 * one chosen before. */
static void
choose_posted (ReinMarketView *self, ReinSignDialog *dialog)
{
  const gchar *document = rein_sign_dialog_get_document (dialog);
  g_autoptr (GPtrArray) fields = NULL;
  const gchar *job_id, *creator_key;

  if (document == NULL
      || !rein_document_text_parse (document, strlen (document), NULL, &fields, NULL))
    return;
  job_id = rein_fields_lookup (fields, REIN_LABEL_JOB_ID);
  creator_key = rein_fields_lookup (fields, REIN_LABEL_JOB_CREATOR_PUBLIC_KEY);
  if (job_id == NULL || creator_key == NULL)
    return;
  g_free (self->chosen_job_id);
  g_free (self->chosen_creator_key);
  self->chosen_job_id = g_strdup (job_id);
  self->chosen_creator_key = g_strdup (creator_key);
  shown_changed_cb (self);
}

static void
published_cb (GtkWidget *dialog, const gchar *message, gpointer user_data)
{
  ReinMarketView *self = user_data;

  if (REIN_IS_POST_DIALOG (dialog))
    choose_posted (self, REIN_SIGN_DIALOG (dialog));
  /* The window shows it ("win.toast"): the view does not know the window. */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
  /* a job I posted or bid on is one of my jobs now */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.refresh-my-jobs", NULL);
  update_detail (self);
}

static void
bid_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinMarketView *self = REIN_MARKET_VIEW (widget);
  ReinJobSummary *s = rein_market_view_get_selected (self);
  ReinBidDialog *dialog;

  if (s == NULL || self->bid_refusal != NULL)
    return;
  dialog = rein_bid_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->context, s);
  g_signal_connect_object (dialog, "published", G_CALLBACK (published_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
post_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinMarketView *self = REIN_MARKET_VIEW (widget);
  ReinPostDialog *dialog;

  if (self->market == NULL || rein_market_service_get_identity (self->market) == NULL)
    return;
  dialog = rein_post_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->context);
  g_signal_connect_object (dialog, "published", G_CALLBACK (published_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
selection_changed_cb (ReinMarketView *self)
{
  ReinJobSummary *s = rein_market_view_get_selected (self);

  if (s != NULL)
    {
      g_free (self->chosen_job_id);
      g_free (self->chosen_creator_key);
      self->chosen_job_id = g_strdup (rein_job_summary_get_job_id (s));
      self->chosen_creator_key = g_strdup (rein_job_summary_get_creator_key (s));
    }
  update_detail (self);
}

/* After the list changed: the chosen job, if it is still shown, stays
 * chosen (with its new details). */
static void
shown_changed_cb (ReinMarketView *self)
{
  GListModel *shown = G_LIST_MODEL (self->shown);
  ReinJobSummary *selected = rein_market_view_get_selected (self);

  update_state (self);
  if (self->chosen_job_id == NULL
      || (selected != NULL
          && g_str_equal (rein_job_summary_get_job_id (selected), self->chosen_job_id)
          && g_str_equal (rein_job_summary_get_creator_key (selected), self->chosen_creator_key)))
    return;
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr (ReinJobSummary) s = g_list_model_get_item (shown, i);

      if (g_str_equal (rein_job_summary_get_job_id (s), self->chosen_job_id)
          && g_str_equal (rein_job_summary_get_creator_key (s), self->chosen_creator_key))
        {
          gtk_single_selection_set_selected (self->selection, i);
          return;
        }
    }
}

static void
activate_cb (ReinMarketView *self, guint position)
{
  rein_market_view_select (self, position);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

/* The rows shown under @widget say how long ago their job was first
 * seen anew: a row is only bound again when it scrolls in. */
static void
update_ages (GtkWidget *widget)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      if (REIN_IS_JOB_ROW (c))
        rein_job_row_update_age (REIN_JOB_ROW (c));
      else
        update_ages (c);
    }
}

static gboolean
ages_cb (gpointer data)
{
  ReinMarketView *self = data;

  if (gtk_widget_get_mapped (GTK_WIDGET (self->job_list)))
    update_ages (GTK_WIDGET (self->job_list));
  return G_SOURCE_CONTINUE;
}

static gboolean
open_clicked_cb (gpointer data)
{
  ReinMarketView *self = data;

  self->open_idle = 0;
  if (adw_leaflet_get_folded (self->leaflet) && rein_market_view_get_selected (self) != NULL)
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  return G_SOURCE_REMOVE;
}

/* A click on a row of a narrow window opens the job, as a tap would (a
 * wide window shows it beside the list already). Seen before the row
 * selects itself: the job opens once it has. */
static void
list_clicked_cb (GtkGestureClick *gesture, gint n_press, gdouble x, gdouble y,
                 ReinMarketView *self)
{
  GtkWidget *picked;

  if (n_press != 1 || !adw_leaflet_get_folded (self->leaflet) || self->open_idle != 0)
    return;
  /* on a row, not on the space below the last one */
  picked = gtk_widget_pick (GTK_WIDGET (self->job_list), x, y, GTK_PICK_DEFAULT);
  if (picked == NULL
      || (!REIN_IS_JOB_ROW (picked) && gtk_widget_get_ancestor (picked, REIN_TYPE_JOB_ROW) == NULL))
    return;
  self->open_idle = g_idle_add (open_clicked_cb, self);
}

/* ---- the list's rows ---- */

/* The most rows kept for reuse: more than a window of them. */
#define SPARE_ROWS 128

/* GTK 4.8's list makes a new list item for every new item it shows (a
 * keystroke that changes the rows shown tears down and sets up some
 * thirty of them): the job rows themselves (ten widgets each) are kept
 * and reused instead of made again. The view holds a reference to each
 * row it made (in the list item's data while it is used, then in
 * spare_rows): GTK unparents the row before "teardown". */
static void
setup_row_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  ReinMarketView *self = user_data;
  GtkWidget *row = self->spare_rows != NULL && self->spare_rows->len > 0
                     ? g_ptr_array_steal_index_fast (self->spare_rows, self->spare_rows->len - 1)
                     : g_object_ref_sink (GTK_WIDGET (rein_job_row_new ()));

  gtk_list_item_set_child (item, row);
  g_object_set_data (G_OBJECT (item), "rein-job-row", row);
}

static void
teardown_row_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  ReinMarketView *self = user_data;
  GtkWidget *row = g_object_steal_data (G_OBJECT (item), "rein-job-row");

  if (row == NULL)
    return;
  if (gtk_list_item_get_child (item) == row)
    gtk_list_item_set_child (item, NULL);
  if (self->spare_rows == NULL || self->spare_rows->len >= SPARE_ROWS
      || gtk_widget_get_parent (row) != NULL)
    g_object_unref (row);
  else
    g_ptr_array_add (self->spare_rows, row);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  rein_job_row_set_summary (REIN_JOB_ROW (gtk_list_item_get_child (item)),
                            gtk_list_item_get_item (item));
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  rein_job_row_set_summary (REIN_JOB_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
focus_search_action (GtkWidget *widget, const char *name, GVariant *param)
{
  gtk_widget_grab_focus (GTK_WIDGET (REIN_MARKET_VIEW (widget)->search_entry));
}

/* ---- drop-downs that fit a phone ---- */

/* @user_data: the button's: an inscription asking for that many
 * characters whatever the choice, and cut to fit (a label asks for as
 * much as its text, and its width_chars would be its least width too);
 * 0: the list's, each choice whole. */
static void
setup_ellipsized_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  gint chars = GPOINTER_TO_INT (user_data);
  GtkWidget *child;

  if (chars > 0)
    {
      child = gtk_inscription_new (NULL);
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (child), chars);
      gtk_inscription_set_min_chars (GTK_INSCRIPTION (child), 3);
      gtk_inscription_set_text_overflow (GTK_INSCRIPTION (child),
                                         GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
      gtk_inscription_set_xalign (GTK_INSCRIPTION (child), 0);
      gtk_widget_set_valign (child, GTK_ALIGN_CENTER);
    }
  else
    {
      child = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (child), 0);
    }
  gtk_list_item_set_child (item, child);
}

static void
bind_string_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkStringObject *string = gtk_list_item_get_item (item);
  GtkWidget *child = gtk_list_item_get_child (item);

  if (GTK_IS_INSCRIPTION (child))
    gtk_inscription_set_text (GTK_INSCRIPTION (child), gtk_string_object_get_string (string));
  else
    gtk_label_set_text (GTK_LABEL (child), gtk_string_object_get_string (string));
}

/* The button shows the choice cut to fit ("All Categ…") so that a narrow
 * window keeps all three filters on one line; the list shows it whole.
 * The button asks for @chars characters whatever is chosen: the list
 * pane is as wide beside the detail as its lines ask for, and moved when
 * a longer category was picked. */
static void
fit_drop_down (GtkDropDown *drop_down, gint chars)
{
  g_autoptr (GtkListItemFactory) button = gtk_signal_list_item_factory_new ();
  g_autoptr (GtkListItemFactory) list = gtk_signal_list_item_factory_new ();

  g_signal_connect (button, "setup", G_CALLBACK (setup_ellipsized_cb),
                    GINT_TO_POINTER (MAX (chars, 1)));
  g_signal_connect (button, "bind", G_CALLBACK (bind_string_cb), NULL);
  g_signal_connect (list, "setup", G_CALLBACK (setup_ellipsized_cb), GINT_TO_POINTER (0));
  g_signal_connect (list, "bind", G_CALLBACK (bind_string_cb), NULL);
  gtk_drop_down_set_factory (drop_down, button);
  gtk_drop_down_set_list_factory (drop_down, list);
}

/* ---- the object ---- */

static void
rein_market_view_dispose (GObject *object)
{
  ReinMarketView *self = (ReinMarketView *) object;

  g_clear_handle_id (&self->open_idle, g_source_remove);
  g_clear_handle_id (&self->ages_id, g_source_remove);
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  g_cancellable_cancel (self->sort_cancellable);
  g_clear_object (&self->sort_cancellable);
  if (self->ratings != NULL)
    g_signal_handlers_disconnect_by_data (self->ratings, self);
  g_clear_object (&self->ratings);
  if (self->market != NULL)
    g_signal_handlers_disconnect_by_data (self->market, self);
  if (self->market != NULL)
    g_signal_handlers_disconnect_by_data (rein_market_service_get_jobs (self->market), self);
  if (self->market != NULL)
    g_signal_handlers_disconnect_by_data (rein_market_service_get_mediators (self->market), self);
  if (self->job_list != NULL)
    gtk_grid_view_set_model (self->job_list, NULL);
  /* the rows torn down from now on are not kept */
  g_clear_pointer (&self->spare_rows, g_ptr_array_unref);
  g_clear_object (&self->selection);
  g_clear_object (&self->shown);
  g_clear_pointer (&self->shown_index, g_array_unref);
  g_clear_pointer (&self->sorted, g_ptr_array_unref);
  g_clear_pointer (&self->sorted_rows, g_ptr_array_unref);
  g_clear_pointer (&self->next_rows, g_ptr_array_unref);
  g_clear_pointer (&self->facts, g_array_unref);
  g_clear_object (&self->market);
  g_clear_object (&self->context);
  /* The leaflet is AdwBin's child and a template child: let AdwBin let go
   * of it first, or both would unparent it. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), REIN_TYPE_MARKET_VIEW);

  G_OBJECT_CLASS (rein_market_view_parent_class)->dispose (object);
}

static void
rein_market_view_finalize (GObject *object)
{
  ReinMarketView *self = (ReinMarketView *) object;

  g_clear_pointer (&self->search_hits, search_hits_free);
  g_free (self->search_text);
  g_free (self->shown_search);
  g_free (self->category);
  g_free (self->bid_refusal);
  g_free (self->chosen_job_id);
  g_free (self->chosen_creator_key);
  g_free (self->creator_ratings);
  g_free (self->mediator_ratings);

  G_OBJECT_CLASS (rein_market_view_parent_class)->finalize (object);
}

static void
rein_market_view_class_init (ReinMarketViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rein_market_view_dispose;
  object_class->finalize = rein_market_view_finalize;

  g_type_ensure (REIN_TYPE_JOB_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/reinproject/Rein/rein-market-view.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ReinMarketView, name)
  BIND (leaflet);
  BIND (search_entry);
  BIND (mediator_list);
  BIND (no_mediators_label);
  BIND (category_dropdown);
  BIND (sort_dropdown);
  BIND (open_only_button);
  BIND (list_stack);
  BIND (job_list);
  BIND (empty_page);
  BIND (error_page);
  BIND (loading_spinner);
  BIND (status_revealer);
  BIND (status_icon);
  BIND (loading_count);
  BIND (status_label);
  BIND (status_count);
  BIND (detail_stack);
  BIND (detail_name);
  BIND (detail_meta);
  BIND (detail_description);
  BIND (creator_row);
  BIND (mediator_row);
  BIND (bids_row);
  BIND (state_row);
  BIND (job_id_row);
  BIND (bid_button);
  BIND (bid_refusal_label);
#undef BIND

  gtk_widget_class_install_action (widget_class, "market.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "market.post", NULL, post_action);
  gtk_widget_class_install_action (widget_class, "market.bid", NULL, bid_action);
  gtk_widget_class_install_action (widget_class, "market.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "market.focus-search", NULL,
                                   focus_search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "market.focus-search", NULL);
  /* as in My Jobs: F5 reads the tab again at once */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "market.refresh", NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, back_shortcut, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Left, GDK_ALT_MASK, back_shortcut, NULL);
}

static void
rein_market_view_init (ReinMarketView *self)
{
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->open_only = TRUE;
  self->sort = REIN_MARKET_SORT_NEWEST;
  self->categories = gtk_string_list_new ((const gchar *const[]){ _("All Categories"), NULL });
  gtk_drop_down_set_model (self->category_dropdown, G_LIST_MODEL (self->categories));
  /* "All Categories"; the sort: its longest choice */
  fit_drop_down (self->category_dropdown, g_utf8_strlen (_("All Categories"), -1));
  {
    GListModel *sorts = gtk_drop_down_get_model (self->sort_dropdown);
    glong longest = 1;

    for (guint i = 0; sorts != NULL && i < g_list_model_get_n_items (sorts); i++)
      {
        g_autoptr (GtkStringObject) sort = g_list_model_get_item (sorts, i);

        longest = MAX (longest, g_utf8_strlen (gtk_string_object_get_string (sort), -1));
      }
    fit_drop_down (self->sort_dropdown, (gint) longest);
  }
  g_object_unref (self->categories); /* the drop-down holds it */

  /* Sorted first, then filtered: a keystroke changes the filter only, and
   * the rows that pass keep their order without a sort. */
  self->sorted = g_ptr_array_new_with_free_func (g_object_unref);
  self->facts = g_array_new (FALSE, FALSE, sizeof (JobFacts));
  self->shown_index = g_array_new (FALSE, FALSE, sizeof (guint));
  self->shown = rein_job_list_new ();
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->shown)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_grid_view_set_model (self->job_list, GTK_SELECTION_MODEL (self->selection));
  {
    GtkGesture *click = gtk_gesture_click_new ();

    gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
    g_signal_connect (click, "released", G_CALLBACK (list_clicked_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self->job_list), GTK_EVENT_CONTROLLER (click));
  }
  self->ages_id = g_timeout_add_seconds (60, ages_cb, self);

  self->spare_rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), NULL);
  g_signal_connect_object (factory, "teardown", G_CALLBACK (teardown_row_cb), self, 0);
  gtk_grid_view_set_factory (self->job_list, factory);

  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (selection_changed_cb), self);
  g_signal_connect_swapped (self->shown, "items-changed", G_CALLBACK (shown_changed_cb), self);
  g_signal_connect_swapped (self->job_list, "activate", G_CALLBACK (activate_cb), self);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb),
                            self);
  g_signal_connect_swapped (self->category_dropdown, "notify::selected",
                            G_CALLBACK (category_selected_cb), self);
  g_signal_connect_swapped (self->sort_dropdown, "notify::selected",
                            G_CALLBACK (sort_selected_cb), self);
  name_drop_down_button (self->category_dropdown, _("Category"));
  name_drop_down_button (self->sort_dropdown, _("Sort"));
  g_signal_connect_swapped (self->open_only_button, "toggled", G_CALLBACK (open_only_toggled_cb),
                            self);
  update_state (self);
  update_detail (self);
}

void
rein_market_view_set_context (ReinMarketView *self, ReinContext *context)
{
  g_return_if_fail (REIN_IS_MARKET_VIEW (self));
  g_return_if_fail (REIN_IS_CONTEXT (context));
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  self->market = g_object_ref (rein_context_get_market (context));
  self->ratings = g_object_ref (rein_ratings_cache_get (context));
  g_signal_connect_swapped (self->ratings, "changed", G_CALLBACK (ratings_changed_cb), self);
  g_signal_connect_swapped (self->mediator_list, "map", G_CALLBACK (show_mediators_ratings),
                            self);
  gtk_list_box_bind_model (self->mediator_list, rein_market_service_get_mediators (self->market),
                           create_mediator_row, self, NULL);
  g_signal_connect_swapped (rein_market_service_get_jobs (self->market), "items-changed",
                            G_CALLBACK (jobs_changed_cb), self);
  g_signal_connect_swapped (rein_market_service_get_mediators (self->market), "items-changed",
                            G_CALLBACK (mediators_changed_cb), self);
  g_signal_connect_swapped (self->market, "notify::loaded", G_CALLBACK (update_state), self);
  g_signal_connect_swapped (self->market, "notify::refreshing", G_CALLBACK (update_state), self);
  g_signal_connect_swapped (self->market, "notify::documents-read", G_CALLBACK (update_state),
                            self);
  g_signal_connect_swapped (self->market, "notify::error", G_CALLBACK (update_state), self);
  g_signal_connect_swapped (self->market, "notify::warning", G_CALLBACK (update_state), self);
  g_signal_connect_swapped (self->market, "notify::identity", G_CALLBACK (update_detail), self);
  jobs_changed_cb (self);
  mediators_changed_cb (self);
}

GListModel *
rein_market_view_get_shown (ReinMarketView *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_VIEW (self), NULL);
  return G_LIST_MODEL (self->shown);
}

ReinJobSummary *
rein_market_view_get_selected (ReinMarketView *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_VIEW (self), NULL);
  return gtk_single_selection_get_selected_item (self->selection);
}

void
rein_market_view_select (ReinMarketView *self, guint position)
{
  g_return_if_fail (REIN_IS_MARKET_VIEW (self));
  gtk_single_selection_set_selected (self->selection, position);
}

const gchar *
rein_market_view_get_state (ReinMarketView *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_VIEW (self), NULL);
  return gtk_stack_get_visible_child_name (self->list_stack);
}

gboolean
rein_market_view_get_searching (ReinMarketView *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_VIEW (self), FALSE);
  return self->searching || self->sorting;
}

const gchar *
rein_market_view_get_bid_refusal (ReinMarketView *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_VIEW (self), NULL);
  return self->bid_refusal;
}

const gchar *
rein_market_view_get_creator_ratings (ReinMarketView *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_VIEW (self), NULL);
  return self->creator_ratings;
}

const gchar *
rein_market_view_get_mediator_ratings (ReinMarketView *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_VIEW (self), NULL);
  return self->mediator_ratings;
}
