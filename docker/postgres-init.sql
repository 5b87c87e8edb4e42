-- Rasa's tracker store gets its own database beside the API's.
CREATE DATABASE rasa OWNER shoptalk;
