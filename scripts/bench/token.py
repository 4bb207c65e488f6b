"""Prints a bearer token for the benchmarks: HS256 over CRM_JWT_SECRET, subject `bench`
(no local user), permission to view and edit, valid for an hour."""
import base64
import hashlib
import hmac
import json
import os
import time


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


h = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
p = b64(json.dumps({"sub": "bench", "permissions": ["crm:view", "crm:edit"], "exp": int(time.time()) + 3600}).encode())
sig = hmac.new(os.environ["CRM_JWT_SECRET"].encode(), f"{h}.{p}".encode(), hashlib.sha256).digest()
print(f"{h}.{p}.{b64(sig)}")
