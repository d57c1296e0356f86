"""Одно окно queue server: tickets, routing, storage, HTTP API and event stream."""

__version__ = "0.1.0"
