"""Who is calling: bearer tokens and sign-in sessions resolved to a party, and the permission dependencies every
route builds its rules on."""
