"""Domain package shared by every function of the Veiligheidshuis product.

Layers: handlers (one module per function) call ``logic``; ``logic`` never sees a Lambda
event and talks to AWS only through ``dal``. Only ``dal`` imports boto3.
"""
