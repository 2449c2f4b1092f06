/* rein-background.c: worker threads that give way to the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

#include "rein-background.h"

void
rein_background_thread (void)
{
#ifdef __linux__
  static GPrivate lowered;
  pid_t tid;
  int nice;

  if (g_private_get (&lowered) != NULL)
    return;
  g_private_set (&lowered, GINT_TO_POINTER (1));
  tid = gettid ();
  errno = 0;
  nice = getpriority (PRIO_PROCESS, (id_t) tid);
  if (errno == 0 && nice < REIN_BACKGROUND_NICE
      && setpriority (PRIO_PROCESS, (id_t) tid, REIN_BACKGROUND_NICE) != 0)
    g_debug ("a worker thread keeps its priority: %s", g_strerror (errno));
#endif
}

/* More threads than cores: they only run when the window does not. */
#define MIN_THREADS 4

typedef struct
{
  GTask *task;
  GTaskThreadFunc func;
} Job;

static void
run_job (gpointer data, gpointer user_data)
{
  Job *job = data;

  rein_background_thread ();
  job->func (job->task, g_task_get_source_object (job->task), g_task_get_task_data (job->task),
             g_task_get_cancellable (job->task));
  g_object_unref (job->task);
  g_free (job);
}

void
rein_background_run (GTask *task, GTaskThreadFunc func)
{
  static GThreadPool *pool;
  Job *job;

  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);

  /* Exclusive: a shared pool's idle threads go back to GLib's common
   * ones, and GTask's pool then ran the window's own work (a search as
   * you type) on a thread this one had lowered. */
  if (g_once_init_enter (&pool))
    g_once_init_leave (&pool, g_thread_pool_new (run_job, NULL,
                                                 MAX (MIN_THREADS, (gint) g_get_num_processors ()),
                                                 TRUE, NULL));
  job = g_new (Job, 1);
  job->task = g_object_ref (task);
  job->func = func;
  g_thread_pool_push (pool, job, NULL);
}

typedef struct
{
  gpointer data;
  GDestroyNotify free_func;
} Drop;

static void
drop_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Drop *drop = task_data;

  drop->free_func (g_steal_pointer (&drop->data));
}

void
rein_background_free (gpointer data, GDestroyNotify free_func)
{
  g_autoptr (GTask) task = NULL;
  Drop *drop;

  g_return_if_fail (free_func != NULL);

  if (data == NULL)
    return;
  task = g_task_new (NULL, NULL, NULL, NULL);
  drop = g_new (Drop, 1);
  drop->data = data;
  drop->free_func = free_func;
  g_task_set_source_tag (task, rein_background_free);
  g_task_set_task_data (task, drop, g_free);
  rein_background_run (task, drop_thread);
}

void
rein_background_tune_allocator (void)
{
#ifdef __GLIBC__
  /* Setting any of these turns glibc's own tuning of the other two off,
   * the one that lets a freed block of a few MB raise the threshold for
   * mmap(): so all three. The trim threshold stays below a thread heap's
   * 64 MiB, or no thread heap would ever shrink. */
  if (!mallopt (M_MMAP_THRESHOLD, 32 * 1024 * 1024) || !mallopt (M_TRIM_THRESHOLD, 32 * 1024 * 1024)
      || !mallopt (M_TOP_PAD, 16 * 1024 * 1024))
    g_debug ("the allocator refused a setting: it stays as glibc tunes it");
#endif
}
