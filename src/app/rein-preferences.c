/* rein-preferences.c: servers, sync and other settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include <stdlib.h>

#include "rein-preferences.h"
#include "rein-job-row.h"

#include "rein-chain-settings.h"

struct _ReinPreferences
{
  AdwPreferencesWindow parent_instance;

  ReinSession *session;
  GCancellable *cancellable;
  GCancellable *add_cancellable; /* the server being asked, while it is */
  GSettings *settings;
  gboolean adding;
  gchar *offline_url; /* a server that did not answer, to add anyway */

  AdwEntryRow *url_row;
  GtkSpinner *add_spinner;
  GtkWidget *add_cancel;
  GtkWidget *add_anyway;
  GtkLabel *add_status;
  GtkListBox *server_list;
  GtkWidget *suggested_group;
  GtkListBox *suggested_list;
  GtkWidget *no_servers_label;
  GtkSpinButton *interval_spin;
  GtkSwitch *notifications_switch;

  /* Payments: the chain settings, read and written in workers */
  ReinChainPrefs *chain;
  gboolean chain_filling; /* the rows are being set from @chain */
  gboolean chain_saving;
  gboolean chain_dirty; /* changed while a save ran */
  GtkWidget *payments_page;
  AdwEntryRow *mainnet_url_row;
  AdwComboRow *test_network_row;
  AdwEntryRow *test_url_row;
  GtkLabel *chain_status;
  GtkSpinButton *fee_target_spin;
  GtkSpinButton *fee_cap_spin;
  GtkSpinButton *confirmations_spin;
};

G_DEFINE_FINAL_TYPE (ReinPreferences, rein_preferences, ADW_TYPE_PREFERENCES_WINDOW)

static void
set_status (ReinPreferences *self, const gchar *text, gboolean error)
{
  gtk_label_set_text (self->add_status, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->add_status), NULL);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->add_status), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->add_status), "error");
}

static void
set_adding (ReinPreferences *self, gboolean adding)
{
  self->adding = adding;
  gtk_widget_set_visible (GTK_WIDGET (self->add_spinner), adding);
  gtk_spinner_set_spinning (self->add_spinner, adding);
  gtk_widget_set_visible (self->add_cancel, adding);
  if (!adding)
    g_clear_object (&self->add_cancellable);
}

/* The HTTP status a server error names ("... (HTTP 404): ..."), or 0. */
static guint
http_status_of (const gchar *message)
{
  const gchar *http = message ? strstr (message, "HTTP ") : NULL;

  return http ? (guint) strtoul (http + 5, NULL, 10) : 0;
}

/* What went wrong, in words a user can act on (the details after). */
gchar *
rein_preferences_describe_add_error (const GError *error)
{
  guint status = http_status_of (error->message);
  const gchar *what = NULL;

  if (g_error_matches (error, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE))
    what = _("No answer from this address. Check it, and whether the server is running.");
  else if (g_error_matches (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER))
    what = _("Something answers at this address, but it is not a Rein server.");
  else if (g_error_matches (error, REIN_NET_ERROR, REIN_NET_ERROR_INVALID))
    what = _("This is not a server address: it looks like http://example.com:2016/.");
  else if (error->domain == REIN_NET_ERROR && status == 404)
    what = _("There is no Rein server at this address: the web server there answered "
             "“not found”. Check the address and its path.");
  else if (error->domain == REIN_NET_ERROR && (status == 401 || status == 403))
    what = _("The server refused to give this identity storage.");
  else if (error->domain == REIN_NET_ERROR && status >= 500)
    what = _("The server has a problem of its own. Try again later, or tell its operator.");
  else if (error->domain == REIN_NET_ERROR && status >= 400)
    what = _("The server refused the request.");
  else if (g_error_matches (error, REIN_NET_ERROR, REIN_NET_ERROR_REFUSED))
    what = _("The server refused to give this identity storage.");
  if (what == NULL)
    what = _("The server could not be added.");
  return g_strdup (what);
}

static void
server_added_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPreferences) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) buckets = rein_session_add_server_finish (REIN_SESSION (source), result,
                                                                  &error);

  /* closed: nothing to show */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  set_adding (self, FALSE);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      set_status (self, _("Cancelled: the server was not added."), FALSE);
      return;
    }
  if (buckets == NULL)
    {
      g_autofree gchar *text = rein_preferences_describe_add_error (error);

      set_status (self, text, TRUE);
      /* the server's or the network's own words, for whoever looks closer */
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->add_status), error->message);
      /* one that is only offline now may be added anyway */
      if (g_error_matches (error, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE))
        {
          g_free (self->offline_url);
          self->offline_url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (
                                                      self->url_row))));
          gtk_widget_set_visible (self->add_anyway, TRUE);
        }
      return;
    }
  /* said once, in a toast; the entry is free for the next one */
  set_status (self, "", FALSE);
  {
    g_autofree gchar *summary = rein_buckets_describe (buckets);
    g_autofree gchar *text = buckets->len > 0 ? g_strdup_printf (_("Added: %s"), summary)
                                              : g_strdup (_("Added: it is asked again at the "
                                                            "next sync"));

    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
  }
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), "");
}

static void
start_add (ReinPreferences *self, const gchar *url, ReinAddServerFlags flags)
{
  gtk_widget_set_visible (self->add_anyway, FALSE);
  g_clear_pointer (&self->offline_url, g_free);
  self->add_cancellable = g_cancellable_new ();
  set_adding (self, TRUE);
  set_status (self, _("Asking the server for storage…"), FALSE);
  rein_session_add_server_async (self->session, url, flags, self->add_cancellable,
                                 server_added_cb, g_object_ref (self));
}

static void
cancel_add_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinPreferences *self = REIN_PREFERENCES (widget);

  if (self->add_cancellable)
    g_cancellable_cancel (self->add_cancellable);
}

static void
add_anyway_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinPreferences *self = REIN_PREFERENCES (widget);
  g_autofree gchar *url = g_strdup (self->offline_url);

  if (self->adding || url == NULL)
    return;
  start_add (self, url, REIN_ADD_SERVER_LIST_ONLY);
}

static void
apply_cb (ReinPreferences *self)
{
  g_autofree gchar *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (
                                        self->url_row))));

  if (self->adding || *url == '\0')
    return;
  if (!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://"))
    {
      set_status (self, _("A server address starts with http:// or https://"), TRUE);
      return;
    }
  /* The entry keeps the focus (and stays editable); a second apply while
   * this one runs is ignored. Only a server that answered is listed (or
   * one the user adds anyway). */
  start_add (self, url, REIN_ADD_SERVER_FORGET_UNANSWERED);
}

typedef struct
{
  ReinPreferences *prefs;
  gchar *url;
} Removal;

static void
server_removed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Removal *r = user_data;
  g_autoptr (ReinPreferences) self = r->prefs;
  g_autofree gchar *url = r->url;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;

  g_free (r);
  if (rein_session_remove_server_finish (REIN_SESSION (source), result, &error))
    {
      AdwToast *toast;

      text = g_strdup_printf (_("Removed %s"), url);
      toast = adw_toast_new (text);
      /* Undo lists it again, and asks it for storage again */
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_action_name (toast, "prefs.undo-remove");
      adw_toast_set_action_target_value (toast, g_variant_new_string (url));
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                      adw_toast_new (error->message));
}

static void
undo_remove_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinPreferences *self = REIN_PREFERENCES (widget);

  if (self->adding)
    return;
  start_add (self, g_variant_get_string (param, NULL), REIN_ADD_SERVER_NONE);
}

static void
remove_clicked_cb (GtkButton *button, ReinPreferences *self)
{
  ReinServerInfo *server = g_object_get_data (G_OBJECT (button), "server");
  Removal *r = g_new0 (Removal, 1);

  r->prefs = g_object_ref (self);
  r->url = g_strdup (rein_server_info_get_url (server));
  rein_session_remove_server_async (self->session, server, self->cancellable, server_removed_cb,
                                    r);
}

/* The row shows the server's data: an icon for its health, and a line
 * made of the rest (rein_server_info_describe()). */
static void
server_changed_cb (ReinServerInfo *server, GParamSpec *pspec, AdwActionRow *row)
{
  GtkImage *icon = g_object_get_data (G_OBJECT (row), "health-icon");
  g_autofree gchar *subtitle = rein_server_info_describe (server);
  const gchar *icon_name = "network-server-symbolic";
  const gchar *tooltip = _("Not checked yet");

  switch (rein_server_info_get_health (server))
    {
    case REIN_SERVER_HEALTH_UNKNOWN:
      break;
    case REIN_SERVER_HEALTH_OK:
      tooltip = _("Reachable");
      break;
    case REIN_SERVER_HEALTH_UNREACHABLE:
      icon_name = "network-offline-symbolic";
      tooltip = _("Unreachable");
      break;
    case REIN_SERVER_HEALTH_ERROR:
      icon_name = "dialog-warning-symbolic";
      tooltip = _("The last sync or check failed");
      break;
    }
  if (rein_server_info_get_syncing (server))
    tooltip = _("Syncing");
  gtk_image_set_from_icon_name (icon, icon_name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (icon), tooltip);
  adw_action_row_set_subtitle (row, subtitle);
  /* the subtitle says it in plain words; the server's or the network's
   * own, here */
  gtk_widget_set_tooltip_text (GTK_WIDGET (row),
                               rein_server_info_get_health (server) == REIN_SERVER_HEALTH_OK
                                 ? NULL
                                 : rein_server_info_get_last_error (server));
}

static GtkWidget *
create_server_row (gpointer item, gpointer user_data)
{
  ReinPreferences *self = user_data;
  ReinServerInfo *server = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  g_autofree gchar *remove_label = g_strdup_printf (_("Remove %s"),
                                                    rein_server_info_get_url (server));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), rein_server_info_get_url (server));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  g_object_set_data (G_OBJECT (row), "health-icon", icon);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  server_changed_cb (server, NULL, ADW_ACTION_ROW (row));
  g_signal_connect_object (server, "notify", G_CALLBACK (server_changed_cb), row, 0);
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, remove_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  remove_label, -1);
  g_object_set_data_full (G_OBJECT (remove), "server", g_object_ref (server), g_object_unref);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  return row;
}

static gboolean
is_listed (ReinPreferences *self, const gchar *url)
{
  GListModel *servers = rein_session_get_servers (self->session);

  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr (ReinServerInfo) server = g_list_model_get_item (servers, i);

      if (g_strcmp0 (rein_server_info_get_url (server), url) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
suggested_add_cb (GtkButton *button, ReinPreferences *self)
{
  const gchar *url = g_object_get_data (G_OBJECT (button), "url");

  if (self->adding)
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), url);
  start_add (self, url, REIN_ADD_SERVER_FORGET_UNANSWERED);
}

/* Servers suggested by whoever started the app (REIN_SUGGESTED_SERVERS,
 * space or comma separated: the demo's local server), while not listed. */
static void
update_suggested (ReinPreferences *self)
{
  const gchar *env = g_getenv ("REIN_SUGGESTED_SERVERS");
  g_auto (GStrv) urls = g_strsplit_set (env ? env : "", " ,", 16);
  GtkWidget *child;
  gboolean any = FALSE;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->suggested_list))))
    gtk_list_box_remove (self->suggested_list, child);
  for (guint i = 0; urls[i] != NULL; i++)
    {
      g_autofree gchar *url = rein_server_url_normalize (urls[i]);
      GtkWidget *row;
      GtkWidget *add;
      g_autofree gchar *label = NULL;

      if (*urls[i] == '\0' || url == NULL
          || !(g_str_has_prefix (url, "http://") || g_str_has_prefix (url, "https://"))
          || is_listed (self, url))
        continue;
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), url);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      add = gtk_button_new_with_mnemonic (_("_Add"));
      label = g_strdup_printf (_("Add %s"), url);
      gtk_accessible_update_property (GTK_ACCESSIBLE (add), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      label, -1);
      gtk_widget_set_valign (add, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (add), "url", g_strdup (url), g_free);
      g_signal_connect (add, "clicked", G_CALLBACK (suggested_add_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), add);
      gtk_list_box_append (self->suggested_list, row);
      any = TRUE;
    }
  gtk_widget_set_visible (self->suggested_group, any);
}

static void
servers_changed_cb (ReinPreferences *self)
{
  gboolean any = g_list_model_get_n_items (rein_session_get_servers (self->session)) > 0;

  update_suggested (self);
  gtk_widget_set_visible (GTK_WIDGET (self->server_list), any);
  gtk_widget_set_visible (self->no_servers_label, !any);
}

/* ---- payments: chain backend, fees, confirmations ---- */

static const ReinChainNetwork test_networks[] = {
  REIN_CHAIN_NETWORK_TESTNET,
  REIN_CHAIN_NETWORK_SIGNET,
  REIN_CHAIN_NETWORK_REGTEST,
};

/* Whether the window was closed (disposed: its cancellable is gone). */
static gboolean
closed (ReinPreferences *self)
{
  return self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable);
}

static void
set_chain_status (ReinPreferences *self, const gchar *text, gboolean error)
{
  gtk_label_set_text (self->chain_status, text);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->chain_status), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->chain_status), "error");
}

/* The rows show @self->chain. */
static void
fill_chain_rows (ReinPreferences *self)
{
  ReinChainPrefs *chain = self->chain;
  const gchar *test_url = chain->urls[chain->test_network];

  self->chain_filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->mainnet_url_row),
                         chain->urls[REIN_CHAIN_NETWORK_MAINNET] != NULL
                             ? chain->urls[REIN_CHAIN_NETWORK_MAINNET]
                             : "");
  gtk_editable_set_text (GTK_EDITABLE (self->test_url_row), test_url != NULL ? test_url : "");
  for (guint i = 0; i < G_N_ELEMENTS (test_networks); i++)
    if (test_networks[i] == chain->test_network)
      adw_combo_row_set_selected (self->test_network_row, i);
  gtk_spin_button_set_value (self->fee_target_spin, chain->fee_target);
  gtk_spin_button_set_value (self->fee_cap_spin, (gdouble) chain->fee_cap);
  gtk_spin_button_set_value (self->confirmations_spin, chain->confirmations);
  self->chain_filling = FALSE;
}

static void save_chain (ReinPreferences *self);

static void
chain_saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPreferences) self = user_data;
  g_autoptr (GError) error = NULL;

  if (closed (self))
    return;
  self->chain_saving = FALSE;
  if (!rein_chain_settings_save_finish (result, &error))
    {
      g_autofree gchar *text = g_strdup_printf (_("Not saved: %s"), error->message);

      set_chain_status (self, text, TRUE);
      return;
    }
  if (self->chain_dirty)
    {
      save_chain (self);
      return;
    }
  if (self->chain->url_from_env)
    set_chain_status (self, _("Saved. REIN_CHAIN_URL is set in this session’s environment: "
                              "its backend is used for every network until it is unset."),
                      FALSE);
  else
    set_chain_status (self, _("Saved."), FALSE);
}

/* Writes @self->chain; one write at a time, the last change last. */
static void
save_chain (ReinPreferences *self)
{
  if (self->chain_saving)
    {
      self->chain_dirty = TRUE;
      return;
    }
  self->chain_dirty = FALSE;
  self->chain_saving = TRUE;
  rein_chain_settings_save_async (rein_session_get_store (self->session), self->chain,
                                  self->cancellable, chain_saved_cb, g_object_ref (self));
}

/* A URL row's text, checked as the backend client checks it; NULL (and
 * the reason shown) when it is not one. "" forgets the backend. */
static gboolean
read_url_row (ReinPreferences *self, AdwEntryRow *row, gchar **out_url)
{
  g_autofree gchar *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  g_autoptr (ReinChain) chain = NULL;
  g_autoptr (GError) error = NULL;

  if (*url == '\0')
    {
      *out_url = NULL;
      return TRUE;
    }
  chain = rein_chain_new (url, &error);
  if (chain == NULL)
    {
      set_chain_status (self, error->message, TRUE);
      return FALSE;
    }
  *out_url = g_strdup (rein_chain_get_url (chain));
  return TRUE;
}

static void
url_applied_cb (AdwEntryRow *row, ReinPreferences *self)
{
  ReinChainNetwork network = row == self->mainnet_url_row ? REIN_CHAIN_NETWORK_MAINNET
                                                          : self->chain->test_network;
  gchar *url;

  if (self->chain == NULL || self->chain_filling || !read_url_row (self, row, &url))
    return;
  g_free (self->chain->urls[network]);
  self->chain->urls[network] = url;
  /* as it is kept: with its final slash */
  self->chain_filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (row), url != NULL ? url : "");
  self->chain_filling = FALSE;
  save_chain (self);
}

static void
test_network_changed_cb (ReinPreferences *self)
{
  guint selected = adw_combo_row_get_selected (self->test_network_row);

  if (self->chain == NULL || self->chain_filling || selected >= G_N_ELEMENTS (test_networks))
    return;
  self->chain->test_network = test_networks[selected];
  /* the URL row shows that network's backend */
  fill_chain_rows (self);
  save_chain (self);
}

static void
chain_number_changed_cb (ReinPreferences *self)
{
  if (self->chain == NULL || self->chain_filling)
    return;
  self->chain->fee_target = (guint) gtk_spin_button_get_value_as_int (self->fee_target_spin);
  self->chain->fee_cap = (gint64) gtk_spin_button_get_value (self->fee_cap_spin);
  self->chain->confirmations = (guint) gtk_spin_button_get_value_as_int (self->confirmations_spin);
  save_chain (self);
}

static void
chain_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPreferences) self = user_data;
  g_autoptr (GError) error = NULL;
  ReinChainPrefs *chain = rein_chain_settings_load_finish (result, &error);

  if (closed (self))
    {
      g_clear_pointer (&chain, rein_chain_prefs_free);
      return;
    }
  if (chain == NULL)
    {
      set_chain_status (self, error->message, TRUE);
      return;
    }
  self->chain = chain;
  fill_chain_rows (self);
  if (chain->url_from_env)
    set_chain_status (self, _("REIN_CHAIN_URL is set in this session’s environment: its backend "
                              "is used for every network until it is unset."),
                      FALSE);
  gtk_widget_set_sensitive (self->payments_page, TRUE);
}

/* Sync is the main window's action; the window asks for the password. */
static void
sync_action (GtkWidget *widget, const char *name, GVariant *param)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (widget));

  if (parent)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.sync", NULL);
}

static void
rein_preferences_dispose (GObject *object)
{
  ReinPreferences *self = (ReinPreferences *) object;

  g_cancellable_cancel (self->cancellable);
  if (self->add_cancellable)
    g_cancellable_cancel (self->add_cancellable);
  g_clear_object (&self->add_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->offline_url, g_free);
  g_clear_pointer (&self->chain, rein_chain_prefs_free);
  if (self->session)
    g_signal_handlers_disconnect_by_data (rein_session_get_servers (self->session), self);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (object), REIN_TYPE_PREFERENCES);

  G_OBJECT_CLASS (rein_preferences_parent_class)->dispose (object);
}

static void
rein_preferences_class_init (ReinPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rein_preferences_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/reinproject/Rein/rein-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, url_row);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, add_status);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, add_spinner);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, suggested_group);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, suggested_list);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, add_cancel);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, add_anyway);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, server_list);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, no_servers_label);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, interval_spin);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, payments_page);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, mainnet_url_row);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, test_network_row);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, test_url_row);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, chain_status);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, fee_target_spin);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, fee_cap_spin);
  gtk_widget_class_bind_template_child (widget_class, ReinPreferences, confirmations_spin);
  gtk_widget_class_install_action (widget_class, "prefs.sync", NULL, sync_action);
  gtk_widget_class_install_action (widget_class, "prefs.cancel-add", NULL, cancel_add_action);
  gtk_widget_class_install_action (widget_class, "prefs.add-anyway", NULL, add_anyway_action);
  gtk_widget_class_install_action (widget_class, "prefs.undo-remove", "s", undo_remove_action);
}

static void
rein_preferences_init (ReinPreferences *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  rein_widget_name_mnemonic_buttons (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (self->url_row, "apply", G_CALLBACK (apply_cb), self);
  g_signal_connect_swapped (self->url_row, "entry-activated", G_CALLBACK (apply_cb), self);
  for (guint i = 0; i < 2; i++)
    {
      AdwEntryRow *row = i == 0 ? self->mainnet_url_row : self->test_url_row;

      g_signal_connect (row, "apply", G_CALLBACK (url_applied_cb), self);
      g_signal_connect (row, "entry-activated", G_CALLBACK (url_applied_cb), self);
    }
  g_signal_connect_swapped (self->test_network_row, "notify::selected",
                            G_CALLBACK (test_network_changed_cb), self);
  g_signal_connect_swapped (self->fee_target_spin, "value-changed",
                            G_CALLBACK (chain_number_changed_cb), self);
  g_signal_connect_swapped (self->fee_cap_spin, "value-changed",
                            G_CALLBACK (chain_number_changed_cb), self);
  g_signal_connect_swapped (self->confirmations_spin, "value-changed",
                            G_CALLBACK (chain_number_changed_cb), self);

  schema = source ? g_settings_schema_source_lookup (source, "org.reinproject.Rein", TRUE) : NULL;
  if (schema)
    {
      self->settings = g_settings_new ("org.reinproject.Rein");
      g_settings_bind (self->settings, "auto-sync-interval",
                       gtk_spin_button_get_adjustment (self->interval_spin), "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "notifications", self->notifications_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
    }
}

ReinPreferences *
rein_preferences_new (GtkWindow *parent, ReinSession *session)
{
  ReinPreferences *self;

  g_return_val_if_fail (REIN_IS_SESSION (session), NULL);

  self = g_object_new (REIN_TYPE_PREFERENCES, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  gtk_list_box_bind_model (self->server_list, rein_session_get_servers (session),
                           create_server_row, self, NULL);
  g_signal_connect_swapped (rein_session_get_servers (session), "items-changed",
                            G_CALLBACK (servers_changed_cb), self);
  servers_changed_cb (self);
  rein_chain_settings_load_async (rein_session_get_store (session), self->cancellable,
                                  chain_loaded_cb, g_object_ref (self));
  /* fresh health for the list as it opens */
  rein_session_check_servers (session);
  return self;
}
