"""`pulumi up` entry point of the example consumer; the program is in consumer.py."""

import consumer

consumer.main()
