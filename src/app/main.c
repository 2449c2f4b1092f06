/* main.c: starts Rein
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "rein-application.h"

int
main (int argc, char *argv[])
{
  g_autoptr (ReinApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, REIN_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = rein_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
