"""保学通 (Baoxue): the API of a county's compulsory-education dropout-control system."""
