"""zhuisu (追溯): traceability for important products."""

__version__ = "0.1.0"
