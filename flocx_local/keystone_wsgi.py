"""Serve Keystone's WSGI application with cheroot, as a subprocess of a local cloud.

    python keystone_wsgi.py --config-dir DIR --port PORT

cheroot is the WSGI server Ironic embeds, so no extra server is needed.
"""
import argparse
import logging
import os
import signal
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--config-dir', required=True,
                        help='directory holding keystone.conf')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--threads', type=int, default=8)
    args = parser.parse_args()

    # Keystone finds its config through this variable, and parses sys.argv
    # with oslo.config when the application is built: hide our arguments.
    os.environ['OS_KEYSTONE_CONFIG_DIR'] = args.config_dir
    sys.argv = sys.argv[:1]
    from cheroot import wsgi
    from keystone.server import wsgi as keystone_wsgi

    app = keystone_wsgi.initialize_public_application()
    server = wsgi.Server((args.host, args.port), app, numthreads=args.threads,
                         server_name='keystone', shutdown_timeout=1)

    def exit_on_signal(signum, frame):
        # server.stop() called from here would block inside server.start();
        # unwinding start() and stopping in ``finally`` works.
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, exit_on_signal)
    signal.signal(signal.SIGINT, exit_on_signal)
    try:
        server.start()
    finally:
        server.stop()
        # Stopped and flushed: skip the interpreter's teardown of Keystone's
        # modules, which takes two seconds.
        logging.shutdown()
        os._exit(0)


if __name__ == '__main__':
    main()
