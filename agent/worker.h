/*
 * worker.h: work that must not run on the loop (parsing a large JSON body,
 * say), done on a thread of its own and completed back on the loop, as
 * tmux's job.c completes a job through the event base.
 *
 * One thread takes the jobs in order: a few at once is the rare case, and
 * each is bounded by what asked for it.  work runs on the worker thread
 * and must touch nothing the loop uses; done runs on the loop afterwards.
 */
#ifndef WORKER_H
#define WORKER_H

struct event_base;

typedef void (*worker_cb)(void *);

/*
 * Run work(arg) on the worker thread, then done(arg) on base's loop.
 * done always runs exactly once, even for a job that worker_shutdown
 * drops before work ran: the job's own state tells them apart.
 */
void	 worker_run(struct event_base *, worker_cb work, worker_cb done,
	    void *arg);
/* Finish the job running now, drop the queued ones (their done runs). */
void	 worker_shutdown(void);

#endif
