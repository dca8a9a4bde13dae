"""The model-serving API: POST /api/v1/predict and GET /api/v1/model (the model: ml.py)."""
