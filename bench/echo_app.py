"""The baseline for bench/ingest.py: a bare Flask app that parses and echoes JSON."""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/api/v1/feedback")
def echo():
    """Echo the JSON body back, as cheaply as Flask can."""
    return jsonify(request.get_json()), 201


@app.get("/api/v1/health")
def health():
    """Readiness probe."""
    return {"status": "ok"}
